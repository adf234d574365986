export { buildMaskedLmGraph, graphBuilderVersion, supportedModelTypes } from './build-masked-lm-graph.js';
export type { BuildMaskedLmGraphOptions } from './build-masked-lm-graph.js';
export { assertBuildableDtype, buildGraphFromFiles } from './build-graph-from-files.js';
