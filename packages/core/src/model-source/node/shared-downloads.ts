import type { DownloadProgressCallback } from '../download-progress.js';

interface SharedDownload {
  readonly promise: Promise<void>;
  readonly listeners: Set<DownloadProgressCallback>;
}

// Process-wide: two models opened on the same repository (or two reads of one file) download it once.
const inFlight = new Map<string, SharedDownload>();

/**
 * Runs `start` unless a download with the same key (the snapshot path it fills) is already running,
 * in which case it joins that one. Every joiner's progress callback gets the reports.
 */
export function shareDownload(
  key: string,
  onProgress: DownloadProgressCallback | undefined,
  start: (report: DownloadProgressCallback) => Promise<void>,
): Promise<void> {
  let download = inFlight.get(key);
  if (download === undefined) {
    const listeners = new Set<DownloadProgressCallback>();
    const report: DownloadProgressCallback = (progress) => {
      for (const listener of listeners) listener(progress);
    };
    if (onProgress) listeners.add(onProgress);
    const promise = start(report).finally(() => inFlight.delete(key));
    download = { promise, listeners };
    inFlight.set(key, download);
    return promise;
  }
  if (onProgress) download.listeners.add(onProgress);
  return download.promise;
}
