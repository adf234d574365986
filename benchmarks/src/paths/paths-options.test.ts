import { describe, expect, it } from 'vitest';
import { parsePathsOptions, pathsOfDtype, runDtypes } from './paths-options.js';

describe('parsePathsOptions', () => {
  it('measures every path, both dtypes, 3 rounds of 512 sentences (48 to score) and 50 clients by default', () => {
    expect(parsePathsOptions([], '/repo')).toEqual({
      paths: ['cli', 'score', 'serve'],
      dtypes: ['fp32', 'q8'],
      scoreDtypes: ['fp32'],
      rounds: 3,
      sentences: 512,
      scoreSentences: 48,
      clients: 50,
      model: '/repo/bench-models/bench-distilroberta',
      corpus: '/repo/benchmarks/corpus',
      output: '/repo/benchmarks/paths',
      seed: 1,
      help: false,
    });
  });

  it('takes --only repeated or comma-separated, in the paths order, and --dtype once', () => {
    const options = parsePathsOptions(
      ['--only', 'serve,cli', '--only', 'cli', '--dtype', 'q8', '--rounds', '1', '--sentences', '64'],
      '/r',
    );
    expect(options).toMatchObject({ paths: ['cli', 'serve'], dtypes: ['q8'], rounds: 1, sentences: 64 });
  });

  it('refuses an unknown path, dtype or option, and counts that are not whole and positive', () => {
    expect(() => parsePathsOptions(['--only', 'eval'], '/r')).toThrow(/--only must be cli, score or serve, not eval/);
    expect(() => parsePathsOptions(['--dtype', 'int8'], '/r')).toThrow(/--dtype must be fp32 or q8/);
    expect(() => parsePathsOptions(['--score-dtype', 'fp16'], '/r')).toThrow(/--score-dtype must be fp32 or q8/);
    expect(() => parsePathsOptions(['--rounds', '0'], '/r')).toThrow(/--rounds must be a whole number of at least 1, not 0/);
    expect(() => parsePathsOptions(['--clients', '2.5'], '/r')).toThrow(/--clients/);
    expect(() => parsePathsOptions(['--sentences', '2'], '/r')).toThrow(/--sentences must be a whole number of at least 3/);
    expect(() => parsePathsOptions(['--threads', '2'], '/r')).toThrow(/threads/);
  });
});

describe('pathsOfDtype and runDtypes', () => {
  it("score in --score-dtype's dtypes, cli and serve in --dtype's, and only the dtypes with a path", () => {
    const defaults = parsePathsOptions([], '/r');
    expect(pathsOfDtype(defaults, 'fp32')).toEqual(['cli', 'score', 'serve']);
    expect(pathsOfDtype(defaults, 'q8')).toEqual(['cli', 'serve']);
    expect(runDtypes(defaults)).toEqual(['fp32', 'q8']);
    const scoreQ8 = parsePathsOptions(['--only', 'score', '--score-dtype', 'q8'], '/r');
    expect(runDtypes(scoreQ8)).toEqual(['q8']);
    expect(runDtypes(parsePathsOptions(['--only', 'score', '--dtype', 'q8'], '/r'))).toEqual(['fp32']);
  });
});
