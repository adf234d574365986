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
}
