import { modelPath } from '@fillmask/model-mini-en';

/**
 * The model used when no --model is given, so that the command works offline: @fillmask/model-mini-en,
 * a small English BERT trained by the project (a dependency of this package). Its predictions are
 * real but modest; pass --model for a full-size one.
 */
export const bundledModelPath = modelPath;
