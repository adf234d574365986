// Reading the weights Hub repositories publish (safetensors and torch checkpoints), without running any of their code.
export type { ModelWeights, WeightDtype, WeightTensor } from './model-weights.js';
export { readModelWeights } from './read-model-weights.js';
export { readSafetensors } from './read-safetensors.js';
export { readPytorchBin } from './torch/read-pytorch-bin.js';
export { float32Of } from './float32-of.js';
export { checkpointNameOnLoad } from './checkpoint-names.js';
export { elementSize, isWeightDtype, weightDtypes } from './weight-dtype.js';
export type { WeightFileRef } from './weight-file.js';
