import { InvalidArgumentError } from '../../errors/invalid-argument-error.js';
import type { ModelSourceOptions, ModelSourceWarning } from '../model-source-options.js';
import { defaultRetry, defaultTimeoutSeconds, type RetrySettings } from '../retry-policy.js';

/** How the Hub source requests and downloads, from the options and huggingface_hub's variables. */
export interface HubDownloadSettings {
  /** Metadata requests (HEAD, file list): connection and answer, in ms. */
  readonly etagTimeoutMs: number;
  /** Downloads: connection, answer, and the longest wait between two chunks of the body, in ms. */
  readonly downloadTimeoutMs: number;
  readonly retry: RetrySettings;
  readonly forceDownload: boolean;
  readonly warn: (warning: ModelSourceWarning) => void;
}

export function resolveHubDownloadSettings(options: ModelSourceOptions, env: NodeJS.ProcessEnv): HubDownloadSettings {
  const retry = options.retry ?? {};
  return {
    etagTimeoutMs: seconds('etagTimeout', options.etagTimeout, env.HF_HUB_ETAG_TIMEOUT) * 1000,
    downloadTimeoutMs: seconds('downloadTimeout', options.downloadTimeout, env.HF_HUB_DOWNLOAD_TIMEOUT) * 1000,
    retry: {
      maxAttempts: count('retry.maxAttempts', retry.maxAttempts, defaultRetry.maxAttempts, 1),
      baseDelayMs: count('retry.baseDelayMs', retry.baseDelayMs, defaultRetry.baseDelayMs, 0),
      maxDelayMs: count('retry.maxDelayMs', retry.maxDelayMs, defaultRetry.maxDelayMs, 0),
    },
    forceDownload: options.forceDownload ?? false,
    warn: options.onSourceWarning ?? ((warning) => console.warn(`[fillmask] ${warning.message}`)),
  };
}

function seconds(name: string, option: number | undefined, variable: string | undefined, fallback = defaultTimeoutSeconds): number {
  if (option !== undefined) {
    if (typeof option !== 'number' || !(option > 0) || !Number.isFinite(option)) {
      throw new InvalidArgumentError({ argument: name, value: option, expected: 'a positive number of seconds' });
    }
    return option;
  }
  const parsed = Number(variable?.trim());
  // A bad variable is ignored as huggingface_hub would fail on it; the default is safer than a crash here.
  return variable !== undefined && variable.trim() !== '' && parsed > 0 && Number.isFinite(parsed) ? parsed : fallback;
}

function count(name: string, value: number | undefined, fallback: number, minimum: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < minimum) {
    throw new InvalidArgumentError({ argument: name, value, expected: `an integer of at least ${minimum}` });
  }
  return value;
}
