import type { BackendModelV1 } from '../backend/fill-mask-backend-v1.js';
import type { FillMaskTokenizer } from '../tokenizer/fill-mask-tokenizer.js';
import type { FillMask, FillSettledResult } from './fill-mask.js';
import type { FillMaskWarningHandler } from './fill-mask-warning.js';
import type { FillOptions } from './fill-options.js';
import type { MaskPredictions } from './prediction.js';
import { DisposedError } from '../errors/disposed-error.js';
import { FillMaskError } from '../errors/fill-mask-error.js';
import { InferenceError } from '../errors/inference-error.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { buildTokenBatch } from '../batching/build-token-batch.js';
import type { BatchLimits } from '../batching/token-budget.js';
import { SharedPasses, type PassCounters } from '../batching/shared-passes.js';
import { encodeInput, type EncodedInput } from './encode-input.js';
import { maskAliasReplacer } from './mask-aliases.js';
import { renderSequence } from './render-sequence.js';
import { settleEach } from './settle-each.js';
import { resolveFillOptions, type ResolvedFillOptions } from './resolve-fill-options.js';
import { topCandidates } from './top-candidates.js';

export interface ModelFillMaskParts {
  readonly model: BackendModelV1;
  readonly tokenizer: FillMaskTokenizer;
  readonly location: string;
  readonly backendName: string;
  readonly batchLimits: BatchLimits;
  readonly defaults: FillOptions;
  /** Spellings rewritten to the model's mask token before tokenizing (checked). */
  readonly maskAliases: readonly string[];
  readonly warn: FillMaskWarningHandler;
}

/** One input of a call waiting for a pass, with its call's options (batch-mates may come from other calls). */
interface PassInput {
  readonly input: EncodedInput;
  readonly options: ResolvedFillOptions;
}

/**
 * The FillMask of a local model: core tokenizes, batches and ranks; the backend runs the graph.
 * Concurrent calls share forward passes (`SharedPasses`), so a server's requests batch by the pass.
 */
export class ModelFillMask implements FillMask {
  readonly maskToken: string;
  readonly maskAliases: readonly string[];
  readonly maxLength: number;
  readonly model: string;
  readonly backend: string;
  private readonly parts: ModelFillMaskParts;
  private readonly maskEatsSpace: boolean;
  private readonly replaceMaskAliases: (text: string) => string;
  private readonly tokenStrings = new Map<number, string>();
  private readonly passQueue: SharedPasses<PassInput, MaskPredictions[]>;
  private disposed = false;

  constructor(parts: ModelFillMaskParts) {
    this.parts = parts;
    this.maskToken = parts.tokenizer.maskToken;
    this.maskAliases = parts.maskAliases;
    this.replaceMaskAliases = maskAliasReplacer(parts.maskAliases, parts.tokenizer.maskToken);
    this.maxLength = parts.tokenizer.modelMaxLength;
    this.model = parts.location;
    this.backend = parts.backendName;
    const { tokenizer } = parts;
    const spaced = tokenizer.encode(`a ${tokenizer.maskToken}`).ids;
    const unspaced = tokenizer.encode(`a${tokenizer.maskToken}`).ids;
    this.maskEatsSpace = spaced.join() === unspaced.join();
    this.passQueue = new SharedPasses(parts.batchLimits, (inputs) => this.runPass(inputs));
  }

  /** The forward passes run so far, shared by every call; `paddedTokens - tokens` is the padding. */
  get passes(): PassCounters {
    return this.passQueue.passCounters;
  }

  fill(input: string, options?: FillOptions): Promise<MaskPredictions[]>;
  fill(inputs: readonly string[], options?: FillOptions): Promise<MaskPredictions[][]>;
  async fill(input: string | readonly string[], options?: FillOptions): Promise<MaskPredictions[] | MaskPredictions[][]> {
    this.checkNotDisposed();
    const resolved = this.resolve(options);
    if (typeof input === 'string') {
      const [result] = await this.run([this.encode(input, resolved)], resolved);
      return result;
    }
    const inputs = checkInputArray(input);
    return this.run(
      inputs.map((text, inputIndex) => this.encode(text, resolved, inputIndex)),
      resolved,
    );
  }

  async fillSettled(inputs: readonly string[], options?: FillOptions): Promise<FillSettledResult[]> {
    this.checkNotDisposed();
    const resolved = this.resolve(options);
    return settleEach(
      checkInputArray(inputs),
      (text, inputIndex) => this.encode(text, resolved, inputIndex),
      (encoded) => this.run(encoded, resolved),
    );
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.passQueue.rejectAll(new DisposedError('This fill-mask object'));
    await this.parts.model.dispose();
  }

  /** One input tokenized, its mask aliases first written as the model's token; a non-string is left for encodeInput to refuse. */
  private encode(text: unknown, resolved: ResolvedFillOptions, inputIndex?: number): EncodedInput {
    const withModelMask = typeof text === 'string' ? this.replaceMaskAliases(text) : text;
    return encodeInput(withModelMask, this.parts.tokenizer, { truncation: resolved.truncation, inputIndex });
  }

  private resolve(options: FillOptions | undefined, warn = this.parts.warn): ResolvedFillOptions {
    const resolved = resolveFillOptions(options, this.parts.defaults, this.parts.tokenizer, warn);
    const outside = resolved.targetIds?.find((id) => id >= this.parts.model.vocabSize);
    if (outside !== undefined) {
      throw new InvalidArgumentError({
        argument: 'targets',
        value: this.parts.tokenizer.idToToken(outside),
        expected: `tokens within the model's ${this.parts.model.vocabSize} outputs (the tokenizer gave id ${outside})`,
      });
    }
    return resolved;
  }

  /** Checks the config's defaults (topK, targets, truncation) once, at creation; warnings come with each call. */
  checkDefaults(): void {
    this.resolve(undefined, () => undefined);
  }

  private run(inputs: readonly EncodedInput[], options: ResolvedFillOptions): Promise<MaskPredictions[][]> {
    const { signal, onProgress } = options;
    return this.passQueue.submit({
      items: inputs.map((input) => ({ input, options })),
      lengths: inputs.map((input) => input.ids.length),
      signal,
      onProgress: onProgress && ((completed, total) => onProgress({ completed, total })),
    });
  }

  /** One forward pass over inputs of one or several calls, each ranked by its own call's options. */
  private async runPass(inputs: readonly PassInput[]): Promise<MaskPredictions[][]> {
    this.checkNotDisposed();
    const logits = await this.forward(inputs.map(({ input }) => input));
    let row = 0;
    return inputs.map(({ input, options }) => input.maskPositions.map((position) => this.rank(logits, row++, input, position, options)));
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
        message: `expected ${batch.positions.length} × ${model.vocabSize} logits, received ${describeLength(logits)}.`,
      });
    }
    return logits;
  }

  private rank(logits: Float32Array, row: number, input: EncodedInput, position: number, options: ResolvedFillOptions): MaskPredictions {
    const { vocabSize } = this.parts.model;
    return topCandidates(logits, row * vocabSize, vocabSize, options.topK, options.targetIds).map(({ id, score }) => ({
      score,
      token: id,
      token_str: this.tokenString(id),
      sequence: renderSequence(input.ids, position, id, this.parts.tokenizer, this.maskEatsSpace),
    }));
  }

  private tokenString(id: number): string {
    let text = this.tokenStrings.get(id);
    if (text === undefined) {
      text = this.parts.tokenizer.decode([id]);
      this.tokenStrings.set(id, text);
    }
    return text;
  }

  private checkNotDisposed(): void {
    if (this.disposed) throw new DisposedError('This fill-mask object');
  }
}

function checkInputArray(inputs: unknown): readonly unknown[] {
  if (!Array.isArray(inputs)) {
    throw new InvalidArgumentError({ argument: 'inputs', value: inputs, expected: 'a string or an array of strings' });
  }
  return inputs;
}

function describeLength(logits: unknown): string {
  return logits instanceof Float32Array ? `${logits.length} values` : typeof logits;
}
