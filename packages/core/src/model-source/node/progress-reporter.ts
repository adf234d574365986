import type { DownloadProgressCallback } from '../download-progress.js';

// Often enough for a smooth progress bar, rarely enough to cost nothing next to the download itself.
const reportEveryBytes = 64 * 1024;

/**
 * Turns the chunks of one file's download into progress reports: `download` at 0 bytes, then every
 * 64 KiB, then at the last byte; `done` once the file is in the cache.
 */
export class ProgressReporter {
  private totalBytes: number | undefined;
  private reportedBytes = -1;
  private loadedBytes = 0;

  constructor(
    private readonly file: string,
    private readonly report: DownloadProgressCallback,
  ) {}

  /** The body starts; on a resumed or retried download, from `loadedBytes`, with no report going back. */
  start(totalBytes: number | undefined, loadedBytes = 0): void {
    this.totalBytes = totalBytes ?? this.totalBytes;
    if (this.reportedBytes < 0) this.send(loadedBytes);
    else this.loadedBytes = loadedBytes;
  }

  update(loadedBytes: number): void {
    this.loadedBytes = loadedBytes;
    if (loadedBytes - this.reportedBytes >= reportEveryBytes) this.send(loadedBytes);
  }

  /** The body has been read to its end. */
  end(): void {
    if (this.loadedBytes !== this.reportedBytes) this.send(this.loadedBytes);
  }

  /** The file is checked and in place. */
  done(): void {
    // Once done, the size is known even when the server did not announce it.
    this.report({ file: this.file, status: 'done', loadedBytes: this.loadedBytes, totalBytes: this.totalBytes ?? this.loadedBytes });
  }

  private send(loadedBytes: number): void {
    this.reportedBytes = loadedBytes;
    this.report({ file: this.file, status: 'download', loadedBytes, totalBytes: this.totalBytes });
  }
}
