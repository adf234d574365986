const marker = Symbol.for('fillmask.error');

/**
 * Base class of every error fillmask throws. Check with `FillMaskError.isInstance(error)` rather than
 * `instanceof`: the marker survives two copies of the package in one process (dual installs, bundlers).
 */
export class FillMaskError extends Error {
  private readonly [marker] = true;

  constructor(name: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = name;
  }

  static isInstance(error: unknown): error is FillMaskError {
    return hasMarker(error, marker);
  }
}

/** True when `error` carries the given marker symbol: how each subclass recognises its own instances. */
export function hasMarker(error: unknown, symbol: symbol): boolean {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[symbol] === true;
}
