import { describe, expect, it } from 'vitest';
import { contenderCommand, pathContenders, warmUpCommand, type ContenderContext } from './path-contenders.js';

const context: ContenderContext = {
  cliBin: '/repo/packages/cli/dist/bin.js',
  scripts: '/repo/benchmarks/dist/paths',
  model: '/models/bench-distilroberta',
  dtype: 'q8',
  threads: 2,
  inputs: { sentences: '/tmp/s.txt', twoSentences: '/tmp/two.txt', scoreTexts: '/tmp/score.txt', oneScoreText: '/tmp/score-one.txt' },
};

describe('pathContenders', () => {
  it('runs the CLI file mode once for both cli and serve', () => {
    expect(pathContenders(['cli', 'serve'])).toEqual(['fillmask-fill', 'transformers.js-fill', 'fillmask-serve', 'fillmask-fill-two']);
    expect(pathContenders(['score'])).toEqual(['fillmask-score', 'fillmask-score-one', 'onnxruntime-pll']);
  });
});

describe('contenderCommand', () => {
  it('gives the CLI the file, JSON lines, the model and the dtype', () => {
    expect(contenderCommand('fillmask-fill', context)).toEqual([
      '/repo/packages/cli/dist/bin.js',
      '-f',
      '/tmp/s.txt',
      '--jsonl',
      '-m',
      '/models/bench-distilroberta',
      '--dtype',
      'q8',
    ]);
    expect(contenderCommand('fillmask-score-one', context).slice(0, 4)).toEqual([
      '/repo/packages/cli/dist/bin.js',
      'score',
      '-f',
      '/tmp/score-one.txt',
    ]);
    expect(contenderCommand('fillmask-serve', context).slice(1)).toEqual([
      'serve',
      '-m',
      '/models/bench-distilroberta',
      '--dtype',
      'q8',
      '-p',
      '0',
    ]);
  });

  it('gives a peer its script and a request with the same model, dtype, threads and file', () => {
    const [script, request] = contenderCommand('transformers.js-fill', context);
    expect(script).toBe('/repo/benchmarks/dist/paths/transformers-fill.js');
    expect(JSON.parse(request)).toEqual({
      folder: '/models/bench-distilroberta',
      dtype: 'q8',
      threads: 2,
      inputFile: '/tmp/s.txt',
      topK: 5,
    });
    expect(JSON.parse(contenderCommand('onnxruntime-pll', context)[1])).toMatchObject({ inputFile: '/tmp/score.txt', threads: 2 });
  });
});

describe('warmUpCommand', () => {
  it('runs the peers on the short runs inputs, the short runs themselves, and nothing for the whole runs', () => {
    expect(JSON.parse(warmUpCommand('transformers.js-fill', context)![1]).inputFile).toBe('/tmp/two.txt');
    expect(JSON.parse(warmUpCommand('onnxruntime-pll', context)![1]).inputFile).toBe('/tmp/score-one.txt');
    expect(warmUpCommand('fillmask-fill-two', context)).toEqual(contenderCommand('fillmask-fill-two', context));
    expect(warmUpCommand('fillmask-fill', context)).toBeUndefined();
    expect(warmUpCommand('fillmask-serve', context)).toBeUndefined();
  });
});
