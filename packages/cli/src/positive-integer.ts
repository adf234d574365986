import { UsageError } from './usage-error.js';

/** A flag's value as a whole number of at least `minimum` (1 unless told), or a usage error naming the flag. */
export function positiveInteger(flag: string, text: string, minimum = 1): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < minimum) {
    throw new UsageError(`${flag} must be a whole number of at least ${minimum}, not ${JSON.stringify(text)}.`);
  }
  return value;
}
