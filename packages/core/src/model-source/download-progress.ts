/** One progress report while a model's files are fetched. */
export interface DownloadProgress {
  /** The file, relative to the model folder, e.g. `onnx/model.onnx`. */
  readonly file: string;
  /** `download` while bytes arrive, `done` once the file is complete, `cached` when no download was needed. */
  readonly status: 'download' | 'done' | 'cached';
  readonly loadedBytes: number;
  /** From Content-Length; undefined when the server did not send it. */
  readonly totalBytes: number | undefined;
}

export type DownloadProgressCallback = (progress: DownloadProgress) => void;
