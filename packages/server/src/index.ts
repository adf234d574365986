export { createFillMaskServer } from './create-fill-mask-server.js';
export type { FillMaskServer, FillMaskServerStats, FillMaskServerStatus } from './create-fill-mask-server.js';
export type { FillMaskServerOptions } from './fill-mask-server-options.js';
export type { AccessLogEntry, AccessLogger } from './access-log-entry.js';
export type { BatchCounters } from './dynamic-batcher.js';
