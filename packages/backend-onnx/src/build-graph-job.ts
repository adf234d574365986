import type { ModelConfig, ModelDtype } from '@fillmask/core';

/** What building a graph from weights needs, in a form a worker thread can receive. */
export interface BuildGraphJob {
  /** The model's location, for messages. */
  readonly location: string;
  /** The files the build reads (config.json, the weights, an index's shards), by their path in the model, as paths on disk. */
  readonly paths: Readonly<Record<string, string>>;
  readonly config: ModelConfig;
  readonly dtype: ModelDtype;
  /** The weights file, or the sharded index, relative to the model. */
  readonly modelFile: string;
  /** Where the built graph is written. */
  readonly output: string;
}

/** A typed error crossing from the worker, as its fields. */
export interface BuildGraphFailure {
  readonly name: string;
  readonly message: string;
  readonly model?: string;
  readonly file?: string;
  readonly reason?: string;
}
