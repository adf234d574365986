import type { FillMask } from '@fillmask/core';
import type { AccessLogger } from './access-log-entry.js';

/** Options of `createFillMaskServer`. Only `fillMask` is required. */
export interface FillMaskServerOptions {
  /**
   * The model to serve, from any backend. A promise lets the server listen while the model loads:
   * `/health` answers 503 `loading` meanwhile, and fill requests 503 with `Retry-After`.
   */
  readonly fillMask: FillMask | Promise<FillMask>;
  /** The model id accepted in `POST /models/<id>` and reported by `/info`. Default: the FillMask's `model`. */
  readonly modelId?: string;
  /**
   * For a FillMask without shared passes (a remote service): most inputs in one `fillSettled` call.
   * Default 256. A model in this process gets each request as its own call, and its calls share
   * forward passes cut by its token budget (`maxBatchTokens`, `batchSize`).
   */
  readonly maxBatchSize?: number;
  /** For a FillMask without shared passes: how long a request waits for others to share its call when it is idle, in ms. Default 2. */
  readonly batchWindowMs?: number;
  /** Most inputs waiting; past it requests are refused with 503 and `Retry-After`. Default 1024. */
  readonly maxQueuedInputs?: number;
  /** Largest request body, in bytes; larger ones are refused with 413. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Longest time from a request's arrival to its answer, in ms; then it is answered 504. Default 60 000. */
  readonly requestTimeoutMs?: number;
  /** When set, every route but `/health` requires `Authorization: Bearer <one of these>`. */
  readonly authTokens?: string | readonly string[];
  /** Receives one entry per request. Default: none. */
  readonly accessLog?: AccessLogger;
  /**
   * Idle time before a keep-alive connection is closed, in ms. Default 65 000: longer than the idle
   * timeout of common load balancers (60 s), so that they never reuse a connection the server is closing.
   */
  readonly keepAliveTimeoutMs?: number;
  /**
   * Runs one batch of two inputs once the model is loaded, before `/health` says ready, so that the
   * first requests do not pay for what a backend prepares at its first batch (the onnx and web
   * backends' q8 per-input variant, onnxruntime's first-run allocations). Default false: a service
   * behind the remote backend would be sent the warm-up request.
   */
  readonly warmUp?: boolean;
}

export const serverDefaults = {
  maxBatchSize: 256,
  batchWindowMs: 2,
  maxQueuedInputs: 1024,
  maxBodyBytes: 1024 * 1024,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 65_000,
  warmUp: false,
} as const;
