export { describeBackendConformance } from './describe-backend-conformance.js';
export type { BackendConformanceOptions } from './describe-backend-conformance.js';
