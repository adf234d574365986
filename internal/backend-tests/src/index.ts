export { describeBackendConformance } from './describe-backend-conformance.js';
export type { BackendConformanceOptions, ConformanceFixture } from './describe-backend-conformance.js';
