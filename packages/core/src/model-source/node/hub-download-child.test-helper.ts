// A child process of the cross-process tests (bundled by hub-child-process.test-helper.ts): opens a
// Hub model, reads the files named, and prints the SHA-256 of each as JSON.
import { createHash } from 'node:crypto';
import { openHubModel } from './hub-model-files.js';

const job = JSON.parse(process.argv[2] ?? '{}') as { modelId: string; hubUrl: string; files: string[] };
const model = openHubModel(job.modelId, { hubUrl: job.hubUrl, retry: { baseDelayMs: 5, maxDelayMs: 20 } });
const digests: Record<string, string> = {};
try {
  for (const file of job.files)
    digests[file] = createHash('sha256')
      .update(await model.read(file))
      .digest('hex');
  process.stdout.write(JSON.stringify(digests));
} catch (error) {
  process.stderr.write(String(error));
  process.exitCode = 1;
}
