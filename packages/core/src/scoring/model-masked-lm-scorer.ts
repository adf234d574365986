import type { BackendModelV1 } from '../backend/fill-mask-backend-v1.js';
import type { FillMaskTokenizer } from '../tokenizer/fill-mask-tokenizer.js';
import type { EncodedInput } from '../fill-mask/encode-input.js';
import type { MaskedLmScorer } from './masked-lm-scorer.js';
import type { ScoreMode, ScoreOptions } from './score-options.js';
import type { ScoreSettledResult, TextScore, TokenScore } from './text-score.js';
import { buildTokenBatch } from '../batching/build-token-batch.js';
import { cutByTokenBudget, orderByLength, type BatchLimits } from '../batching/token-budget.js';
import { DisposedError } from '../errors/disposed-error.js';
import { FillMaskError } from '../errors/fill-mask-error.js';
import { InferenceError } from '../errors/inference-error.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { UnsupportedModelError } from '../errors/unsupported-model-error.js';
import { encodeScoredText, type ScoredText } from './encode-scored-text.js';
import { maskAliasReplacer } from '../fill-mask/mask-aliases.js';
import { logProbabilityAt } from './log-probability.js';
import { maskedCopies } from './masked-copies.js';
import { scoreModes } from './score-options.js';
import { detectSubwordScheme, type SubwordScheme } from './subword-scheme.js';
import { pseudoPerplexity } from './summarize-scores.js';
import { wordIds } from './word-ids.js';
import { settleEach } from '../fill-mask/settle-each.js';

export interface ModelMaskedLmScorerParts {
  readonly model: BackendModelV1;
  readonly tokenizer: FillMaskTokenizer;
  readonly location: string;
  readonly backendName: string;
  readonly batchLimits: BatchLimits;
  readonly truncation: boolean;
  /** Spellings rewritten to the model's mask token before tokenizing (checked). */
  readonly maskAliases: readonly string[];
}

interface ResolvedScoreOptions {
  readonly mode: ScoreMode;
  readonly perToken: boolean;
  readonly truncation: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: ScoreOptions['onProgress'];
}

/** A row of a batch: one masked copy of one text, and where its score goes. */
interface PendingRow {
  readonly input: EncodedInput;
  readonly textIndex: number;
  /** Index of the target among the text's scored positions. */
  readonly slot: number;
}

/** Scores texts with a local model: core tokenizes, masks and batches; the backend returns the target rows' logits. */
export class ModelMaskedLmScorer implements MaskedLmScorer {
  readonly maskToken: string;
  readonly maxLength: number;
  readonly model: string;
  readonly backend: string;
  private readonly parts: ModelMaskedLmScorerParts;
  private readonly subwordScheme: SubwordScheme;
  private readonly replaceMaskAliases: (text: string) => string;
  private disposed = false;

  constructor(parts: ModelMaskedLmScorerParts) {
    this.parts = parts;
    this.maskToken = parts.tokenizer.maskToken;
    this.maxLength = parts.tokenizer.modelMaxLength;
    this.model = parts.location;
    this.backend = parts.backendName;
    this.subwordScheme = detectSubwordScheme(parts.tokenizer);
    this.replaceMaskAliases = maskAliasReplacer(parts.maskAliases, parts.tokenizer.maskToken);
  }

  score(text: string, options?: ScoreOptions): Promise<TextScore>;
  score(texts: readonly string[], options?: ScoreOptions): Promise<TextScore[]>;
  async score(input: string | readonly string[], options?: ScoreOptions): Promise<TextScore | TextScore[]> {
    this.checkNotDisposed();
    const resolved = this.resolve(options);
    if (typeof input === 'string') {
      const [result] = await this.run([this.encode(input, resolved)], resolved);
      return result;
    }
    const texts = checkTextArray(input);
    return this.run(
      texts.map((text, inputIndex) => this.encode(text, resolved, inputIndex)),
      resolved,
    );
  }

  async scoreSettled(texts: readonly string[], options?: ScoreOptions): Promise<ScoreSettledResult[]> {
    this.checkNotDisposed();
    const resolved = this.resolve(options);
    return settleEach(
      checkTextArray(texts),
      (text, inputIndex) => this.encode(text, resolved, inputIndex),
      (encoded) => this.run(encoded, resolved),
    );
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.parts.model.dispose();
  }

  /** One text tokenized, its mask aliases first written as the model's token; a non-string is left for encodeScoredText to refuse. */
  private encode(text: unknown, resolved: ResolvedScoreOptions, inputIndex?: number): ScoredText {
    const withModelMask = typeof text === 'string' ? this.replaceMaskAliases(text) : text;
    return encodeScoredText(withModelMask, this.parts.tokenizer, { truncation: resolved.truncation, inputIndex });
  }

  private resolve(options: ScoreOptions | undefined): ResolvedScoreOptions {
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw new InvalidArgumentError({ argument: 'options', value: options, expected: 'an object' });
    }
    const mode = options?.mode ?? 'token';
    if (!scoreModes.includes(mode)) {
      throw new InvalidArgumentError({
        argument: 'mode',
        value: mode,
        expected: scoreModes.map((name) => JSON.stringify(name)).join(' or '),
      });
    }
    return {
      mode,
      perToken: options?.perToken ?? false,
      truncation: options?.truncation ?? this.parts.truncation,
      signal: options?.signal,
      onProgress: options?.onProgress,
    };
  }

  /**
   * Runs every masked copy of every text. Texts go shortest first and their copies are cut into
   * batches by the token budget, so a batch pads its copies to lengths close to each other and the
   * copies of several short texts share a pass. Copies are made as batches take them.
   */
  private async run(texts: readonly ScoredText[], options: ResolvedScoreOptions): Promise<TextScore[]> {
    options.signal?.throwIfAborted();
    for (const text of texts) this.checkVocabulary(text);
    const { model } = this.parts;
    const logProbabilities = texts.map((text) => new Float64Array(text.scoredPositions.length));
    const remaining = texts.map((text) => text.scoredPositions.length);
    let completed = 0;
    const rows = this.maskedRows(texts, options.mode);
    for (const batch of cutByTokenBudget(rows, (row) => row.input.ids.length, this.parts.batchLimits)) {
      options.signal?.throwIfAborted();
      this.checkNotDisposed();
      const logits = await this.forward(batch.map((row) => row.input));
      const before = completed;
      batch.forEach((row, index) => {
        const position = row.input.maskPositions[0];
        const id = texts[row.textIndex].ids[position];
        logProbabilities[row.textIndex][row.slot] = logProbabilityAt(logits, index * model.vocabSize, model.vocabSize, id);
        if (--remaining[row.textIndex] === 0) completed++;
      });
      if (completed > before) options.onProgress?.({ completed, total: texts.length });
    }
    return texts.map((text, index) => this.textScore(text, logProbabilities[index], options.perToken));
  }

  /** Every masked copy of every text, the texts shortest first (ties in input order). */
  private *maskedRows(texts: readonly ScoredText[], mode: ScoreMode): Generator<PendingRow> {
    const { tokenizer } = this.parts;
    for (const textIndex of orderByLength(texts.map((text) => text.ids.length))) {
      const text = texts[textIndex];
      const words = mode === 'word-l2r' ? wordIds(text.ids, tokenizer, this.subwordScheme) : [];
      for (const [slot, copy] of maskedCopies(text, mode, words).entries()) {
        const ids = [...text.ids];
        for (const position of copy.masked) ids[position] = tokenizer.maskTokenId;
        yield { input: { ids, tokenTypeIds: text.tokenTypeIds, maskPositions: [copy.target] }, textIndex, slot };
      }
    }
  }

  private textScore(text: ScoredText, logProbabilities: Float64Array, perToken: boolean): TextScore {
    // Summed in text order, so the result does not depend on how copies were batched.
    const pll = logProbabilities.reduce((total, value) => total + value, 0);
    const tokens = text.scoredPositions.length;
    const score: TextScore = { pll, tokens, pppl: pseudoPerplexity(pll, tokens) };
    if (!perToken) return score;
    const perTokenScores: TokenScore[] = text.scoredPositions.map((position, slot) => ({
      token: this.parts.tokenizer.idToToken(text.ids[position]) ?? '',
      id: text.ids[position],
      position,
      logProbability: logProbabilities[slot],
    }));
    return { ...score, perToken: perTokenScores };
  }

  private checkVocabulary(text: ScoredText): void {
    const { vocabSize } = this.parts.model;
    const outside = text.scoredPositions.find((position) => text.ids[position] >= vocabSize);
    if (outside !== undefined) {
      throw new UnsupportedModelError({
        model: this.parts.location,
        reason: `the tokenizer gave id ${text.ids[outside]}, outside the model's ${vocabSize} outputs; the tokenizer does not belong to this model.`,
      });
    }
  }

  private async forward(inputs: readonly EncodedInput[]): Promise<Float32Array> {
    const { model, tokenizer, backendName } = this.parts;
    const batch = buildTokenBatch(inputs, tokenizer.padTokenId);
    let logits: Float32Array;
    try {
      ({ logits } = await model.run(batch));
    } catch (error) {
      if (FillMaskError.isInstance(error)) throw error;
      throw new InferenceError({
        backend: backendName,
        message: `the model failed to run: ${String((error as Error)?.message ?? error)}`,
        cause: error,
      });
    }
    if (!(logits instanceof Float32Array) || logits.length !== batch.positions.length * model.vocabSize) {
      throw new InferenceError({
        backend: backendName,
        message: `expected ${batch.positions.length} × ${model.vocabSize} logits, received ${logits instanceof Float32Array ? `${logits.length} values` : typeof logits}.`,
      });
    }
    return logits;
  }

  private checkNotDisposed(): void {
    if (this.disposed) throw new DisposedError('This scorer');
  }
}

function checkTextArray(texts: unknown): readonly unknown[] {
  if (!Array.isArray(texts)) {
    throw new InvalidArgumentError({ argument: 'texts', value: texts, expected: 'a string or an array of strings' });
  }
  return texts;
}
