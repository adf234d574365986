import { FillMaskError } from '@fillmask/core';

/** A fillmask error's own message, a missing file's; anything else is unexpected, with its stack. */
export function describeError(error: unknown): string {
  if (FillMaskError.isInstance(error)) return error.message;
  if (error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENOENT') return error.message;
  return error instanceof Error ? `unexpected error: ${error.stack ?? error.message}` : `unexpected error: ${String(error)}`;
}
