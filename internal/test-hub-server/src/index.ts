export { startHubServer } from './hub-server.js';
export type { HubServer, HubServerFaults, HubServerOptions, RecordedRequest } from './hub-server.js';
export type { HubServerRepo } from './repo-catalog.js';
export { derivedCommit } from './repo-catalog.js';
