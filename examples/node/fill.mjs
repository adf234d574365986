import { createFillMask } from '@fillmask/core';

// A Hub id ('distilbert/distilroberta-base') or a local folder; here the tiny model the CLI bundles.
const model = process.argv[2] ?? new URL('../../packages/cli/models/tiny-roberta', import.meta.url).pathname;

const fillMask = await createFillMask({ model, backend: 'onnx' });
const [predictions] = await fillMask.fill('Paris is the <mask> of France.', { topK: 3 });
for (const { token_str, score } of predictions) console.log(token_str.padEnd(16), score.toFixed(4));
await fillMask.dispose();
