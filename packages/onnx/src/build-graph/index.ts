export { buildMaskedLmGraph, graphBuilderVersion, supportedModelTypes } from './build-masked-lm-graph.js';
export type { BuildMaskedLmGraphOptions, MaskedLmGraphDtype } from './build-masked-lm-graph.js';
export { quantizeMaskedLmGraph } from './quantize-masked-lm-graph.js';
export { buildGraphFromFiles } from './build-graph-from-files.js';
