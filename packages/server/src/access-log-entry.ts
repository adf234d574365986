/**
 * One line of the access log, written when a response ends. It holds no input text, no parameter
 * values and no header values other than the user agent: never the token.
 */
export interface AccessLogEntry {
  /** ISO 8601 time the request arrived. */
  readonly time: string;
  readonly requestId: string;
  readonly method: string;
  /** The path without its query string. */
  readonly path: string;
  readonly status: number;
  readonly durationMs: number;
  /** Bytes of the request body read (0 when it was refused unread). */
  readonly requestBytes: number;
  readonly responseBytes: number;
  /** Number of inputs of a fill request. */
  readonly inputs?: number;
  /** What went wrong, as a short code (`malformed-json`, `queue-full`, `timeout`, ...). */
  readonly error?: string;
  readonly remoteAddress?: string;
  readonly userAgent?: string;
  /** The client went away before the response was complete. */
  readonly aborted?: boolean;
}

export type AccessLogger = (entry: AccessLogEntry) => void;
