import { createFillMask } from '@fillmask/core';

// A Hub id ('distilbert/distilroberta-base') or a local folder; here the tiny model the CLI bundles.
const model = process.argv[2] ?? new URL('../../packages/cli/models/tiny-roberta', import.meta.url).pathname;

const fillMask = await createFillMask({ model, backend: 'onnx' });
const [predictions] = await fillMask.fill('Paris is the <mask> of France.', { topK: 3 });
for (const { score, token_str } of predictions) console.log(score.toFixed(4), JSON.stringify(token_str));
await fillMask.dispose();
