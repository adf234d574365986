export { createFillMaskServer } from './create-fill-mask-server.js';
export type { FillMaskServer, FillMaskServerStatus } from './create-fill-mask-server.js';
export type { FillMaskServerStats } from './fill-mask-server-stats.js';
export type { FillMaskServerOptions } from './fill-mask-server-options.js';
export type { AccessLogEntry, AccessLogger } from './access-log-entry.js';
export type { BatchCounters } from './dynamic-batcher.js';
