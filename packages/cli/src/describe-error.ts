import { FillMaskError, HubRequestError, InvalidArgumentError, ModelFileNotFoundError } from '@fillmask/core';
import type { ModelFlags } from './model-flags.js';
import { hubIdHint, ModelLocationError } from './model-location.js';

/**
 * A fillmask error's own message, said for the command line when `flags` are given: a bare name
 * (`-m bert`) that neither the Hub nor the cache has adds what a Hub id looks like, and the remote
 * backend's `endpointUrl` is the CLI's --endpoint-url. A missing file's message as is; anything else
 * is unexpected, with its stack.
 */
export function describeError(error: unknown, flags?: ModelFlags): string {
  if (error instanceof ModelLocationError) return error.message;
  if (FillMaskError.isInstance(error)) {
    let message = error.message;
    // The Hub (or the cache, offline) has no such model: its first file, config.json, is not there.
    const noSuchModel = HubRequestError.isInstance(error) || (ModelFileNotFoundError.isInstance(error) && error.file === 'config.json');
    const hint = noSuchModel ? hubIdHint(flags?.model) : undefined;
    if (hint !== undefined) message = `${message} ${hint}`;
    if (flags?.backend === 'remote') {
      message = message.replace(/\bendpointUrl\b/g, '--endpoint-url');
      // Not where the command refuses the remote backend itself (score: a service returns no logits).
      const backendRefused = InvalidArgumentError.isInstance(error) && error.argument === 'backend';
      if (flags.endpointUrl === undefined && !backendRefused) {
        message = `${message} (-b remote without --endpoint-url calls the hosted Inference API; for fillmask serve or an Inference Endpoint, pass --endpoint-url <url>.)`;
      }
    }
    return message;
  }
  if (error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENOENT') return error.message;
  return error instanceof Error ? `unexpected error: ${error.stack ?? error.message}` : `unexpected error: ${String(error)}`;
}
