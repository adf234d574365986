export { createRemoteBackend, createRemoteBackend as createBackend } from './create-remote-backend.js';
export type { RemoteBackendOptions } from './remote-backend-options.js';
