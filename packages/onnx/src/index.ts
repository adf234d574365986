// The graph rewrites: read an exported masked-LM graph and prepare it for fill-mask.
export * from './graph/index.js';
// Checkpoint readers: the weights Hub repositories publish (safetensors, pytorch_model.bin), read without trusting them.
export * from './weights/index.js';
// The graph builder: a masked-LM graph from config.json and the weights, for repositories with no ONNX export.
export * from './build-graph/index.js';
// The session model: a prepared graph behind the backend contract, over any onnxruntime flavour.
export * from './session/index.js';
