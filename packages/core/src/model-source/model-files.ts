/**
 * The files of one model in the Hugging Face folder layout (`config.json`, `tokenizer.json`,
 * `tokenizer_config.json`, `onnx/model.onnx`, ...), wherever they live: a local folder, the Hub
 * (downloaded into a cache on first read), a URL base in the browser. Paths are relative and use `/`.
 */
export interface ModelFiles {
  /** Where the model comes from, for messages: a folder path, or `hub:<id>@<revision>`. */
  readonly location: string;
  /** Reads a whole file. Rejects with ModelFileNotFoundError when the model has no such file. */
  read(path: string): Promise<Uint8Array>;
  /** True when the file exists (may download nothing; a Hub source may ask the Hub). */
  exists(path: string): Promise<boolean>;
  /**
   * A path on the local file system for the file, fetching it first if needed, so that native
   * runtimes can map it instead of copying it through JS. Absent where there is no file system.
   */
  localPath?(path: string): Promise<string>;
  /**
   * Every file of the model, as `/`-separated paths, so that choosing what to load costs no failed
   * downloads; undefined when the source cannot list them (a plain URL base, say), and then callers
   * ask `exists` file by file.
   */
  list?(): Promise<readonly string[] | undefined>;
  /**
   * Checks a cached copy of the file against its hash, for a caller whose load of it failed (a parse
   * error): true when it was damaged and has been replaced (read it again), false when it is sound or
   * there is nothing to check; rejects when it is damaged and cannot be replaced (offline). Absent
   * where files are not cached (a local folder).
   */
  verify?(path: string): Promise<boolean>;
}
