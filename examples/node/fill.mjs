import { createFillMask } from '@fillmask/core';
import { modelPath } from '@fillmask/model-mini-en';

// A Hub id ('distilbert/distilroberta-base') or a local folder; by default @fillmask/model-mini-en,
// the small English BERT the project trained (the fillmask CLI's default model), which exports its folder.
const model = process.argv[2] ?? modelPath;

const fillMask = await createFillMask({ model, backend: 'onnx' });
// fillMask.maskToken is the model's own: [MASK] for BERT, <mask> for RoBERTa.
const [predictions] = await fillMask.fill(`She opened the ${fillMask.maskToken} and walked in.`, { topK: 3 });
for (const { score, token_str } of predictions) console.log(score.toFixed(4), JSON.stringify(token_str));
await fillMask.dispose();
