import { FillMaskError, hasMarker } from './fill-mask-error.js';

const marker = Symbol.for('fillmask.error.invalid-argument');

/** An argument of a call or of a config has the wrong type or value. `argument` names it. */
export class InvalidArgumentError extends FillMaskError {
  private readonly [marker] = true;
  readonly argument: string;
  readonly value: unknown;

  constructor({ argument, value, expected }: { argument: string; value: unknown; expected: string }) {
    super('FillMask_InvalidArgumentError', `Invalid ${argument}: expected ${expected}, received ${describe(value)}.`);
    this.argument = argument;
    this.value = value;
  }

  static override isInstance(error: unknown): error is InvalidArgumentError {
    return hasMarker(error, marker);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : `an array of ${value.length}`;
  if (typeof value === 'string') return value.length > 60 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value} ${String(value)}`;
  return typeof value;
}
