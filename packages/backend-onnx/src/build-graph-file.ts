import { readFile, writeFile } from 'node:fs/promises';
import { type ModelFiles, ModelFileNotFoundError } from '@fillmask/core';
import { buildGraphFromFiles } from '@fillmask/onnx';
import type { BuildGraphJob } from './build-graph-job.js';

/** Builds the job's graph and writes it to `job.output`. */
export async function buildGraphFile(job: BuildGraphJob): Promise<void> {
  const files: ModelFiles = {
    location: job.location,
    async read(path) {
      const onDisk = job.paths[path];
      if (onDisk === undefined) throw new ModelFileNotFoundError({ model: job.location, file: path });
      const bytes = await readFile(onDisk);
      // A view, not a copy: the weights are the largest thing the build holds.
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
    async exists(path) {
      return job.paths[path] !== undefined;
    },
  };
  await writeFile(job.output, await buildGraphFromFiles({ files, config: job.config, dtype: job.dtype, modelFile: job.modelFile }));
}
