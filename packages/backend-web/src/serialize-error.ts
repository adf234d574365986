/** An error as it crosses to another thread: structured cloning would drop its class and fields. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  /** The error's own data fields (`argument`, `status`, `inputIndex`, ...). */
  readonly fields: Readonly<Record<string, unknown>>;
}

/** Keeps what `reviveError` needs to rebuild the same typed error on the other side. */
export function serializeError(error: unknown): SerializedError {
  if (typeof error !== 'object' || error === null) return { name: 'Error', message: String(error), fields: {} };
  const { name, message, stack } = error as Partial<Error>;
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (key === 'name' || key === 'message' || key === 'stack' || key === 'cause') continue;
    fields[key] = cloneable(value);
  }
  return {
    name: typeof name === 'string' ? name : 'Error',
    message: typeof message === 'string' ? message : String(error),
    ...(typeof stack === 'string' ? { stack } : {}),
    fields,
  };
}

/** The value if it survives structured cloning, else its description (an InvalidArgumentError's `value` can be anything). */
function cloneable(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return typeof value === 'function' ? `[function ${value.name || 'anonymous'}]` : String(value);
  }
}
