import { describe, expect, it } from 'vitest';
import { fixtureModelPath, fixtureModels, type FixtureModel } from '@fillmask/fixtures';
import type { ServiceBackendV1 } from '../backend/fill-mask-backend-v1.js';
import type { ScoreProgress } from './score-options.js';
import type { TextScore } from './text-score.js';
import { DisposedError } from '../errors/disposed-error.js';
import { InputTooLongError } from '../errors/input-too-long-error.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import type { FillMaskTokenizer } from '../tokenizer/fill-mask-tokenizer.js';
import { openModel } from '#platform/open-model';
import { loadModelConfig } from '../model/model-config.js';
import { loadTokenizer } from '../tokenizer/load-tokenizer.js';
import { createScorer } from './create-scorer.js';
import { contextualLogProbabilities, recordingContextualBackend } from './contextual-backend.test-helper.js';
import { summarizeScores } from './summarize-scores.js';

// The scorer runs the fixture models' tokenizers with a model double whose logits depend on the whole
// input, in batches; every expected value is computed here from that double, one copy at a time.
// backend-onnx's onnx-scoring test checks the scores against real graphs.

const sentence = "The unbelievable tokenization works, doesn't it?";

/** The tokens of `sentence` (framing left out) and the word each belongs to, written out per tokenizer. */
const sentenceWords: Record<FixtureModel, { tokens: string[]; words: number[] }> = {
  'tiny-bert-uncased': {
    tokens: ['the', 'unbelievable', 'token', '##ization', 'works', ',', 'doesn', "'", 't', 'it', '?'],
    words: [0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9],
  },
  'tiny-roberta': {
    tokens: ['The', 'Ġunbelievable', 'Ġtoken', 'ization', 'Ġworks', ',', 'Ġdoesn', "'t", 'Ġit', '?'],
    words: [0, 1, 2, 2, 3, 3, 4, 4, 5, 5],
  },
  'tiny-bert-cased-pt': {
    tokens: [
      'The',
      'un',
      '##bel',
      '##iev',
      '##ab',
      '##le',
      'to',
      '##ken',
      '##iza',
      '##tion',
      'w',
      '##orks',
      ',',
      'do',
      '##es',
      '##n',
      "'",
      't',
      'it',
      '?',
    ],
    words: [0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 4, 5, 5, 5, 6, 7, 8, 9],
  },
  'tiny-albert': {
    tokens: ['▁the', '▁un', 'be', 'liev', 'able', '▁to', 'ken', 'ization', '▁works', ',', '▁doesn', "'", 't', '▁it', '?'],
    words: [0, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 4, 5, 5],
  },
};

const otherTexts = ['Paris is the capital of France.', 'A b.', 'She opened the door and walked in, then sat down by the fire to read.'];

const specialTokens = new Set(['[CLS]', '[SEP]', '[MASK]', '[UNK]', '[PAD]', '<s>', '</s>', '<mask>', '<unk>', '<pad>']);

function expectRelativelyClose(actual: number, expected: number, tolerance = 1e-4): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance * Math.abs(expected));
}

interface Oracle {
  tokens: string[];
  logProbabilities: number[];
  pll: number;
}

async function tokenizerOf(model: FixtureModel): Promise<FillMaskTokenizer> {
  const files = await openModel(fixtureModelPath(model));
  return loadTokenizer(files, await loadModelConfig(files));
}

async function vocabSizeOf(model: FixtureModel): Promise<number> {
  return (await loadModelConfig(await openModel(fixtureModelPath(model)))).vocab_size!;
}

/**
 * The reference for one text: the model's tokenizer gives the ids (tested elsewhere against
 * transformers.js); masking, running and log-softmax are done here, one copy per scored token.
 * `words` (one per token between the framing) switches to word-l2r masking.
 */
async function oracle(model: FixtureModel, text: string, options: { words?: readonly number[] } = {}): Promise<Oracle> {
  const tokenizer = await tokenizerOf(model);
  const ids = tokenizer.encode(text).ids;
  const tokens = ids.map((id) => tokenizer.idToToken(id)!);
  const word = (position: number) => options.words?.[position - 1];
  const copies = [];
  for (let target = 0; target < ids.length; target++) {
    if (specialTokens.has(tokens[target])) continue;
    const masked = [...ids];
    masked[target] = tokenizer.maskTokenId;
    for (let later = target + 1; options.words && word(later) === word(target) && later < ids.length - 1; later++) {
      masked[later] = tokenizer.maskTokenId;
    }
    copies.push({ ids: masked, target, id: ids[target] });
  }
  const logProbabilities = contextualLogProbabilities(await vocabSizeOf(model), copies);
  return {
    tokens: copies.map((copy) => tokens[copy.target]),
    logProbabilities,
    pll: logProbabilities.reduce((total, value) => total + value, 0),
  };
}

function expectMatchesOracle(score: TextScore, expected: Oracle): void {
  expect(score.tokens).toBe(expected.tokens.length);
  expectRelativelyClose(score.pll, expected.pll);
  expectRelativelyClose(score.pppl, Math.exp(-expected.pll / expected.tokens.length));
}

async function rejection<T extends Error>(promise: Promise<unknown>, isInstance: (error: unknown) => boolean): Promise<T> {
  const error = await promise.then(
    () => expect.unreachable('expected a rejection'),
    (reason: unknown) => reason,
  );
  expect(isInstance(error), String(error)).toBe(true);
  return error as T;
}

describe("createScorer: PLL against the model's logits", () => {
  for (const model of fixtureModels) {
    describe(model, () => {
      it('token mode: PLL, PPPL and every per-token log-probability match the logits of the model, copy by copy', async () => {
        const scorer = await createScorer({ model: fixtureModelPath(model), backend: recordingContextualBackend() });
        try {
          for (const text of [sentence, ...otherTexts]) {
            const expected = await oracle(model, text);
            const score = await scorer.score(text, { perToken: true });
            expectMatchesOracle(score, expected);
            expect(score.perToken!.map((entry) => entry.token)).toEqual(expected.tokens);
            for (const [index, entry] of score.perToken!.entries())
              expectRelativelyClose(entry.logProbability, expected.logProbabilities[index]);
            // Real information, not a constant: each token's log-probability is its own.
            expect(new Set(score.perToken!.map((entry) => entry.logProbability.toFixed(6))).size).toBeGreaterThan(1);
          }
        } finally {
          await scorer.dispose();
        }
      });

      it('word-l2r mode: a sub-token is scored with the later sub-tokens of its word masked too', async () => {
        const { tokens, words } = sentenceWords[model];
        const tokenizer = await tokenizerOf(model);
        const ids = tokenizer.encode(sentence).ids;
        expect(ids.slice(1, -1).map((id) => tokenizer.idToToken(id))).toEqual(tokens);

        const scorer = await createScorer({ model: fixtureModelPath(model), backend: recordingContextualBackend() });
        try {
          const expected = await oracle(model, sentence, { words });
          const score = await scorer.score(sentence, { mode: 'word-l2r', perToken: true });
          expectMatchesOracle(score, expected);
          for (const [index, entry] of score.perToken!.entries())
            expectRelativelyClose(entry.logProbability, expected.logProbabilities[index]);

          // Where a word has several pieces the two modes differ; the last piece of each word is
          // masked alone in both, so there they agree.
          const tokenMode = await scorer.score(sentence, { perToken: true });
          score.perToken!.forEach((entry, index) => {
            const isLastOfWord = words[index + 1] !== words[index];
            if (isLastOfWord) expectRelativelyClose(entry.logProbability, tokenMode.perToken![index].logProbability, 1e-6);
            else expect(Math.abs(entry.logProbability - tokenMode.perToken![index].logProbability)).toBeGreaterThan(1e-6);
          });
        } finally {
          await scorer.dispose();
        }
      });
    });
  }

  it('q8: one copy per pass by default, with the scores of each copy alone', async () => {
    const backend = recordingContextualBackend();
    const scorer = await createScorer({ model: fixtureModelPath('tiny-bert-uncased'), backend, dtype: 'q8' });
    try {
      expectMatchesOracle(await scorer.score(sentence), await oracle('tiny-bert-uncased', sentence));
      expect(backend.batches.every((batch) => batch.batchSize === 1)).toBe(true);
    } finally {
      await scorer.dispose();
    }
  });

  it('a mask token inside the text stays in the context and is not scored', async () => {
    const text = 'Paris is the [MASK] of France.';
    const scorer = await createScorer({ model: fixtureModelPath('tiny-bert-uncased'), backend: recordingContextualBackend() });
    try {
      const expected = await oracle('tiny-bert-uncased', text);
      const score = await scorer.score(text, { perToken: true });
      expectMatchesOracle(score, expected);
      expect(score.perToken!.map((entry) => entry.token)).toEqual(['paris', 'is', 'the', 'of', 'france', '.']);
    } finally {
      await scorer.dispose();
    }
  });
});

describe('createScorer: batches', () => {
  const texts = [sentence, ...otherTexts, 'Short.'];

  it('the masked copies run as padded batches of batchSize rows, one requested position per row', async () => {
    const backend = recordingContextualBackend();
    const scorer = await createScorer({ model: fixtureModelPath('tiny-roberta'), backend, batchSize: 8 });
    try {
      const scores = await scorer.score(texts);
      const copies = scores.reduce((total, score) => total + score.tokens, 0);
      expect(backend.batches.map((batch) => batch.batchSize).reduce((a, b) => a + b, 0)).toBe(copies);
      expect(backend.batches.every((batch) => batch.positions === batch.batchSize && batch.batchSize <= 8)).toBe(true);
      expect(backend.batches.length).toBe(Math.ceil(copies / 8));
      // Shortest texts first, so the padded length only grows.
      const lengths = backend.batches.map((batch) => batch.sequenceLength);
      expect(lengths).toEqual([...lengths].sort((a, b) => a - b));
    } finally {
      await scorer.dispose();
    }
  });

  it('cuts the copies of all texts into passes by maxBatchTokens, and the scores do not depend on it', async () => {
    const model = fixtureModelPath('tiny-roberta');
    const budgeted = recordingContextualBackend();
    const scorer = await createScorer({ model, backend: budgeted, batchSize: 512, maxBatchTokens: 64 });
    const reference = await createScorer({ model, backend: recordingContextualBackend(), batchSize: 1 });
    try {
      const scores = await scorer.score(texts);
      expect(budgeted.batches.every((batch) => batch.batchSize * batch.sequenceLength <= 64)).toBe(true);
      // Copies of different texts share a pass when the shorter text's copies leave room.
      expect(budgeted.batches.some((batch) => new Set(batch.rowLengths).size > 1)).toBe(true);
      const oneByOne = await reference.score(texts);
      for (const [index, score] of scores.entries()) expectRelativelyClose(score.pll, oneByOne[index].pll, 1e-5);
    } finally {
      await scorer.dispose();
      await reference.dispose();
    }
  });

  it('gives the same scores in batches, one copy per pass, and one text per call', async () => {
    const model = fixtureModelPath('tiny-albert');
    const batched = await createScorer({ model, backend: recordingContextualBackend(), batchSize: 7 });
    const single = await createScorer({ model, backend: recordingContextualBackend(), batchSize: 1 });
    try {
      for (const mode of ['token', 'word-l2r'] as const) {
        const inBatches = await batched.score(texts, { mode, perToken: true });
        const oneByOne = await single.score(texts, { mode, perToken: true });
        const perCall = await Promise.all(texts.map((text) => batched.score(text, { mode, perToken: true })));
        expect(inBatches.map((score) => score.tokens)).toEqual(oneByOne.map((score) => score.tokens));
        inBatches.forEach((score, index) => {
          expectRelativelyClose(score.pll, oneByOne[index].pll, 1e-5);
          expectRelativelyClose(score.pll, perCall[index].pll, 1e-5);
          for (const [slot, entry] of score.perToken!.entries()) {
            expectRelativelyClose(entry.logProbability, oneByOne[index].perToken![slot].logProbability, 1e-5);
          }
        });
      }
    } finally {
      await batched.dispose();
      await single.dispose();
    }
  });

  it('summarizeScores: Σ PLL, Σ tokens and exp(-Σ PLL / Σ tokens) of the corpus', async () => {
    const scorer = await createScorer({ model: fixtureModelPath('tiny-bert-cased-pt'), backend: recordingContextualBackend() });
    try {
      const scores = await scorer.score(texts);
      const expected = await Promise.all(texts.map((text) => oracle('tiny-bert-cased-pt', text)));
      const pll = expected.reduce((total, entry) => total + entry.pll, 0);
      const tokens = expected.reduce((total, entry) => total + entry.tokens.length, 0);
      const summary = summarizeScores(scores);
      expect(summary.tokens).toBe(tokens);
      expectRelativelyClose(summary.pll, pll);
      expectRelativelyClose(summary.pppl, Math.exp(-pll / tokens));
      // Token-weighted: not the mean of the texts' own PPPLs.
      const meanOfTexts = scores.reduce((total, score) => total + score.pppl, 0) / scores.length;
      expect(Math.abs(summary.pppl - meanOfTexts)).toBeGreaterThan(1e-3);
      expect(summarizeScores([])).toEqual({ pll: 0, tokens: 0, pppl: Number.NaN });
    } finally {
      await scorer.dispose();
    }
  });

  it('reports progress per completed text and stops on abort', async () => {
    const scorer = await createScorer({
      model: fixtureModelPath('tiny-bert-uncased'),
      backend: recordingContextualBackend(),
      batchSize: 4,
    });
    try {
      const progress: ScoreProgress[] = [];
      await scorer.score(texts, { onProgress: (entry) => progress.push(entry) });
      expect(progress.at(-1)).toEqual({ completed: texts.length, total: texts.length });
      expect(progress.map((entry) => entry.completed)).toEqual([...progress.map((entry) => entry.completed)].sort((a, b) => a - b));

      const controller = new AbortController();
      const aborted = scorer.score(texts, {
        signal: controller.signal,
        onProgress: () => controller.abort(new Error('stop')),
      });
      await expect(aborted).rejects.toThrow('stop');
    } finally {
      await scorer.dispose();
    }
  });
});

describe('createScorer: typed errors', () => {
  it.each([
    ['an empty text', ''],
    ['a text of only special tokens', '[CLS] [MASK] [SEP]'],
    ['only spaces', '   '],
  ])('%s: InvalidArgumentError, and its own slot in scoreSettled', async (_name, text) => {
    const scorer = await createScorer({ model: fixtureModelPath('tiny-bert-uncased'), backend: recordingContextualBackend() });
    try {
      const error = await rejection<InvalidArgumentError>(scorer.score(text), InvalidArgumentError.isInstance);
      expect(error.argument).toBe('text');
      expect(error.message).toContain('at least one token to score');
      const settled = await scorer.scoreSettled(['Fine.', text]);
      expect(settled[0].status).toBe('fulfilled');
      expect(settled[1].status).toBe('rejected');
      expect(InvalidArgumentError.isInstance(settled[1].status === 'rejected' && settled[1].reason)).toBe(true);
      await rejection(scorer.score(['Fine.', text]), InvalidArgumentError.isInstance);
    } finally {
      await scorer.dispose();
    }
  });

  it('a text longer than the model: InputTooLongError, or its first window with truncation', async () => {
    const long = Array.from({ length: 600 }, (_, index) => `word${index % 7}`).join(' ');
    const scorer = await createScorer({ model: fixtureModelPath('tiny-bert-uncased'), backend: recordingContextualBackend() });
    try {
      const error = await rejection<InputTooLongError>(scorer.score(['Fine.', long]), InputTooLongError.isInstance);
      expect(error.limit).toBe(512);
      expect(error.inputIndex).toBe(1);
      expect(error.message).toContain('score only its first 512 tokens');
      const truncated = await scorer.score(long, { truncation: true });
      expect(truncated.tokens).toBe(510);
      expect(Number.isFinite(truncated.pll) && truncated.pll < 0).toBe(true);
    } finally {
      await scorer.dispose();
    }
    const truncating = await createScorer({
      model: fixtureModelPath('tiny-bert-uncased'),
      backend: recordingContextualBackend(),
      truncation: true,
    });
    try {
      expect((await truncating.score(long)).tokens).toBe(510);
    } finally {
      await truncating.dispose();
    }
  });

  it('wrong arguments, a service backend and a disposed scorer', async () => {
    await rejection(createScorer({ model: '' }), InvalidArgumentError.isInstance);
    await rejection(createScorer({ model: fixtureModelPath('tiny-bert-uncased'), batchSize: 0 }), InvalidArgumentError.isInstance);
    const service: ServiceBackendV1 = {
      specificationVersion: 'v1',
      kind: 'service',
      name: 'remote',
      connect: () => expect.unreachable('a scorer must not connect to a service'),
    };
    const serviceError = await rejection<InvalidArgumentError>(
      createScorer({ model: 'some/model', backend: service }),
      InvalidArgumentError.isInstance,
    );
    expect(serviceError.argument).toBe('backend');
    expect(serviceError.message).toContain('service backend');

    const scorer = await createScorer({ model: fixtureModelPath('tiny-bert-uncased'), backend: recordingContextualBackend() });
    await rejection(scorer.score('Fine.', { mode: 'word' as never }), InvalidArgumentError.isInstance);
    await rejection(scorer.score(42 as never), InvalidArgumentError.isInstance);
    await rejection(scorer.score(['Fine.', 42 as never]), InvalidArgumentError.isInstance);
    await scorer.dispose();
    await rejection(scorer.score('Fine.'), DisposedError.isInstance);
  });
});
