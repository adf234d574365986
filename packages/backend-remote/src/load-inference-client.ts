import { BackendUnavailableError } from '@fillmask/core';

export type InferenceClientModule = typeof import('@huggingface/inference');

let loading: Promise<InferenceClientModule> | undefined;

/** Loads `@huggingface/inference` once, on the first connect: importing this package costs nothing until then. */
export function loadInferenceClient(): Promise<InferenceClientModule> {
  loading ??= import('@huggingface/inference').catch((cause: unknown) => {
    loading = undefined;
    throw new BackendUnavailableError({
      backend: 'remote',
      reason: '@huggingface/inference could not be loaded; install it with npm install @huggingface/inference.',
      cause,
    });
  });
  return loading;
}
