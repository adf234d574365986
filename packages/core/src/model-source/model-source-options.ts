import type { DownloadProgressCallback } from './download-progress.js';

/** How a model id or folder is turned into files. Every field is optional. */
export interface ModelSourceOptions {
  /** Hub revision: a branch, tag or commit hash. Default `main`. Pin a commit hash for reproducible results. */
  readonly revision?: string;
  /** Access token for gated or private Hub models. Default: the `HF_TOKEN` environment variable. */
  readonly accessToken?: string;
  /**
   * Cache folder for Hub downloads, in huggingface_hub's layout (shared with Python).
   * Default: `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`.
   */
  readonly cacheDir?: string;
  /** Never touch the network: use only cached files. Default: true when `HF_HUB_OFFLINE=1`. */
  readonly offline?: boolean;
  /** Base URL of the Hub. Default `$HF_ENDPOINT`, else `https://huggingface.co`. */
  readonly hubUrl?: string;
  /** The fetch to use for Hub requests. Default: the global fetch. */
  readonly fetch?: typeof globalThis.fetch;
  /** Called as files download. */
  readonly onProgress?: DownloadProgressCallback;
  /**
   * Download every file asked for again, even when it is cached (the new copy replaces the cached
   * blob once verified). Default false.
   */
  readonly forceDownload?: boolean;
  /**
   * Seconds to wait for the Hub's answer to a metadata request (the HEAD that resolves a branch, the
   * file list), and for a connection. Default `$HF_HUB_ETAG_TIMEOUT`, else 10, as huggingface_hub.
   */
  readonly etagTimeout?: number;
  /**
   * Seconds a download may wait for a connection, for the answer's headers, and between two chunks
   * of its body. Default `$HF_HUB_DOWNLOAD_TIMEOUT`, else 10, as huggingface_hub.
   */
  readonly downloadTimeout?: number;
  /**
   * Retries of Hub requests that failed for a reason that may pass (a dropped connection, a timeout,
   * HTTP 429 or 5xx): at most `maxAttempts` attempts in all (default 5; 1 never retries), waiting
   * `baseDelayMs` (default 1000) doubled on each retry, with jitter, at most `maxDelayMs` (default
   * 8000), or what `Retry-After` asks within that cap. An interrupted download resumes where it stopped.
   */
  readonly retry?: HubRetryOptions;
  /**
   * Receives warnings of the Hub source: the Hub could not be asked and cached files are used, a
   * damaged cached file was downloaded again. Default: printed with `console.warn` as `[fillmask] <message>`.
   */
  readonly onSourceWarning?: (warning: ModelSourceWarning) => void;
}

/** How Hub requests are retried: see {@link ModelSourceOptions.retry}. */
export interface HubRetryOptions {
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

/** A warning of the Hub source, with a `code` to tell them apart without parsing the message. */
export interface ModelSourceWarning {
  /** `using-cache`: the Hub failed or was unreachable, cached files are used; `damaged-cache`: a cached file failed its check and is downloaded again. */
  readonly code: 'using-cache' | 'damaged-cache';
  readonly message: string;
  readonly file: string;
}
