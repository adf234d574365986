/** What the runner asks a library's page to load. */
export interface BenchPageLoadOptions {
  /** The model folder's URL path on the page's origin, ending in `/` (`/models/bench-distilroberta/`). */
  readonly modelPath: string;
  readonly dtype: 'fp32' | 'q8';
  /** WebAssembly threads (the page is cross-origin isolated, so more than one runs). */
  readonly threads: number;
  readonly topK: number;
}

/** What a page reports once its library has loaded the model. */
export interface BenchPageLoaded {
  readonly milliseconds: number;
  /** Whether the page could run WebAssembly threads (SharedArrayBuffer needs it). */
  readonly crossOriginIsolated: boolean;
}

/**
 * The functions each library's page puts on `window.benchPage` for the runner to call. Times are
 * taken in the page (`performance.now()`), so the runner's round trips to the page are not in them.
 */
export interface BenchPage {
  /** Loads the model and fills nothing: the memory read after it is the load's alone. */
  load(options: BenchPageLoadOptions): Promise<BenchPageLoaded>;
  /** The best prediction's token for one sentence, to show that both libraries answer alike. */
  topToken(text: string): Promise<string>;
  /** Milliseconds of one call on one sentence. */
  fillOne(text: string): Promise<number>;
  /** Milliseconds to fill every sentence: fillmask in one call (it batches itself), transformers.js in batches of `batchSize`, in input order. */
  fillAll(texts: readonly string[], batchSize: number): Promise<number>;
}

declare global {
  interface Window {
    benchPage?: BenchPage;
  }
}

/** The page's `#state` says `ready` once `window.benchPage` is there. */
export function markReady(page: BenchPage): void {
  window.benchPage = page;
  const state = document.querySelector('#state');
  if (state) state.textContent = 'ready';
}

/** Milliseconds `task` takes, by the page's clock. */
export async function pageTimed(task: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await task();
  return performance.now() - start;
}
