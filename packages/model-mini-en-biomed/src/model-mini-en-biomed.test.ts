import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createScorer, summarizeScores } from '@fillmask/core';
import { createOnnxBackend } from '@fillmask/backend-onnx';
import { modelPath as generalModelPath } from '@fillmask/model-mini-en';
import { modelPath } from './index.js';

const packageFolder = fileURLToPath(new URL('..', import.meta.url));

// Written for this test, in neither training corpus.
const biomedical = [
  'The expression of the gene was reduced in mutant mice compared with wild-type controls.',
  'Patients with chronic kidney disease should talk to their doctor before taking this medication.',
  'The protein binds to the receptor and activates the signaling pathway in the cell.',
];
const general = [
  'The old man walked slowly along the road, thinking of his home and his children.',
  'She laughed, and for a moment the room seemed brighter than before.',
  'They rode through the forest until the night fell and the wind grew cold.',
];

async function corpusPerplexity(model: string, texts: readonly string[]): Promise<number> {
  const scorer = await createScorer({ model, backend: createOnnxBackend() });
  try {
    return summarizeScores(await scorer.score(texts)).pppl;
  } finally {
    await scorer.dispose();
  }
}

describe('@fillmask/model-mini-en-biomed', () => {
  it('fits biomedical text better than the general model, and general text worse', async () => {
    expect(await corpusPerplexity(modelPath, biomedical)).toBeLessThan(await corpusPerplexity(generalModelPath, biomedical));
    expect(await corpusPerplexity(generalModelPath, general)).toBeLessThan(await corpusPerplexity(modelPath, general));
  });

  it('stays under 25 MB as published (npm pack)', async () => {
    const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: packageFolder });
    const [packed] = JSON.parse(stdout) as Array<{ unpackedSize: number; files: Array<{ path: string }> }>;
    expect(packed.files.map((file) => file.path)).toEqual(
      expect.arrayContaining(['onnx/model.onnx', 'onnx/model_quantized.onnx', 'tokenizer.json', 'config.json', 'README.md']),
    );
    expect(packed.unpackedSize).toBeLessThan(25_000_000);
  });
});
