import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createFillMask, createScorer } from '@fillmask/core';
import { createOnnxBackend } from '@fillmask/backend-onnx';
import { modelPath } from './index.js';

const packageFolder = fileURLToPath(new URL('..', import.meta.url));

describe('@fillmask/model-mini-en', () => {
  it('is a model folder in the Hub layout', () => {
    for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx']) {
      expect(existsSync(`${modelPath}/${file}`), file).toBe(true);
    }
  });

  it('fills masks in fp32 and q8, the two agreeing on most of the top 5', async () => {
    const ranked: Record<string, string[]> = {};
    for (const dtype of ['fp32', 'q8'] as const) {
      const fillMask = await createFillMask({ model: modelPath, backend: createOnnxBackend(), dtype });
      try {
        expect(fillMask.maxLength).toBe(128);
        const [predictions] = await fillMask.fill('She opened the [MASK] and walked in.');
        expect(predictions).toHaveLength(5);
        ranked[dtype] = predictions.map((prediction) => prediction.token_str);
      } finally {
        await fillMask.dispose();
      }
    }
    expect(ranked.fp32.filter((token) => ranked.q8.includes(token)).length).toBeGreaterThanOrEqual(3);
    // The README's example: the trained model reads the context (an under-trained one answers "the").
    expect(ranked.fp32[0]).toBe('door');
    expect(ranked.q8[0]).toBe('door');
  });

  it('uses the context: an adjective after "a", a place word after "the"', async () => {
    const fillMask = await createFillMask({ model: modelPath, backend: createOnnxBackend() });
    try {
      const [[adjective], [place]] = await fillMask.fill(['He was a [MASK] man.', 'She opened the [MASK] and walked in.']);
      expect(adjective.slice(0, 5).map((prediction) => prediction.token_str)).toEqual(expect.arrayContaining(['young', 'old', 'good']));
      expect(place.slice(0, 5).map((prediction) => prediction.token_str)).toEqual(expect.arrayContaining(['door', 'window']));
    } finally {
      await fillMask.dispose();
    }
  });

  it('scores a sentence as more likely than its words shuffled, and far more than rare words', async () => {
    const scorer = await createScorer({ model: modelPath, backend: createOnnxBackend() });
    try {
      const [natural, shuffled, rare] = await scorer.score([
        'She opened the door and walked in.',
        'Walked the in door and she opened.',
        'Zygote quasar fjord xylophone.',
      ]);
      expect(natural.tokens).toBe(shuffled.tokens);
      expect(natural.pppl * 1.2).toBeLessThan(shuffled.pppl);
      expect(natural.pppl * 10).toBeLessThan(rare.pppl);
    } finally {
      await scorer.dispose();
    }
  });

  it('stays under 25 MB as published (npm pack)', async () => {
    const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: packageFolder });
    const [packed] = JSON.parse(stdout) as Array<{ unpackedSize: number; size: number; files: Array<{ path: string }> }>;
    expect(packed.files.map((file) => file.path)).toEqual(
      expect.arrayContaining([
        'onnx/model.onnx',
        'onnx/model_quantized.onnx',
        'tokenizer.json',
        'config.json',
        'README.md',
        'dist/index.js',
      ]),
    );
    expect(packed.files.some((file) => file.path.startsWith('training/'))).toBe(false);
    expect(packed.unpackedSize).toBeLessThan(25_000_000);
  });
});
