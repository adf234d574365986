/**
 * An answer other than 200, raised inside a request handler and turned into `{"error": message}`
 * with this status. `type` names the cause for the access log, which never holds the message (it
 * can quote parameters).
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}
