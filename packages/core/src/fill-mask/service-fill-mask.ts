import type { ServiceModelV1 } from '../backend/fill-mask-backend-v1.js';
import type { FillMask, FillSettledResult } from './fill-mask.js';
import type { FillOptions } from './fill-options.js';
import type { MaskPredictions } from './prediction.js';
import { DisposedError } from '../errors/disposed-error.js';
import { FillMaskError } from '../errors/fill-mask-error.js';
import { InferenceError } from '../errors/inference-error.js';
import { InputTooLongError } from '../errors/input-too-long-error.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { MissingMaskError } from '../errors/missing-mask-error.js';
import { RemoteRequestError } from '../errors/remote-request-error.js';
import { maskAliasReplacer } from './mask-aliases.js';
import { resolveServiceFillOptions, type ResolvedServiceFillOptions } from './resolve-service-fill-options.js';

export interface ServiceFillMaskParts {
  readonly service: ServiceModelV1;
  /** The config's `model`, as given. */
  readonly model: string;
  readonly backendName: string;
  /** Inputs per request to the service. */
  readonly batchSize: number;
  readonly defaults: FillOptions;
  /** Spellings rewritten to the service's mask token before sending (checked). */
  readonly maskAliases: readonly string[];
}

/**
 * The FillMask of a model behind a service: core checks the call and each input (a string with the
 * mask token), sends the inputs in requests of `batchSize`, and returns what the service ranked.
 */
export class ServiceFillMask implements FillMask {
  readonly maskToken: string;
  readonly maskAliases: readonly string[];
  readonly maxLength: number;
  readonly model: string;
  readonly backend: string;
  private readonly parts: ServiceFillMaskParts;
  private readonly replaceMaskAliases: (text: string) => string;
  private disposed = false;

  constructor(parts: ServiceFillMaskParts) {
    this.parts = parts;
    this.maskToken = parts.service.maskToken;
    this.maskAliases = parts.maskAliases;
    this.replaceMaskAliases = maskAliasReplacer(parts.maskAliases, parts.service.maskToken);
    // Services that do not tell their limit enforce it themselves (an error names it).
    this.maxLength = parts.service.maxLength ?? Number.POSITIVE_INFINITY;
    this.model = parts.model;
    this.backend = parts.backendName;
  }

  fill(input: string, options?: FillOptions): Promise<MaskPredictions[]>;
  fill(inputs: readonly string[], options?: FillOptions): Promise<MaskPredictions[][]>;
  async fill(input: string | readonly string[], options?: FillOptions): Promise<MaskPredictions[] | MaskPredictions[][]> {
    this.checkNotDisposed();
    const resolved = resolveServiceFillOptions(options, this.parts.defaults);
    if (typeof input === 'string') {
      const [result] = await this.run([this.checkInput(input, undefined)], resolved, (chunk) => this.send(chunk, resolved));
      return result;
    }
    const inputs = checkInputArray(input).map((text, inputIndex) => this.checkInput(text, inputIndex));
    return this.run(inputs, resolved, (chunk) => this.send(chunk, resolved));
  }

  async fillSettled(inputs: readonly string[], options?: FillOptions): Promise<FillSettledResult[]> {
    this.checkNotDisposed();
    const resolved = resolveServiceFillOptions(options, this.parts.defaults);
    const settled: FillSettledResult[] = [];
    const valid: string[] = [];
    const validSlots: number[] = [];
    checkInputArray(inputs).forEach((text, inputIndex) => {
      try {
        valid.push(this.checkInput(text, inputIndex));
        validSlots.push(inputIndex);
      } catch (error) {
        if (!FillMaskError.isInstance(error)) throw error;
        settled[inputIndex] = { status: 'rejected', reason: error };
      }
    });
    const results = await this.run(valid, resolved, (chunk) => this.sendSettled(chunk, resolved));
    for (const [index, value] of results.entries()) settled[validSlots[index]] = value;
    return settled;
  }

  /** Checks the config's defaults (topK, targets, truncation) once, at creation. */
  checkDefaults(): void {
    resolveServiceFillOptions(undefined, this.parts.defaults);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.parts.service.dispose();
  }

  /** The input as the service gets it: a string, its mask aliases written as the service's mask token. */
  private checkInput(input: unknown, inputIndex: number | undefined): string {
    if (typeof input !== 'string') {
      const argument = inputIndex === undefined ? 'input' : `inputs[${inputIndex}]`;
      throw new InvalidArgumentError({ argument, value: input, expected: 'a string with a mask token' });
    }
    const text = this.replaceMaskAliases(input);
    // The service would refuse it too, but only after a round trip, and for the whole request.
    if (!text.includes(this.maskToken)) throw new MissingMaskError({ maskToken: this.maskToken, inputIndex });
    return text;
  }

  /** Sends the inputs in requests of `batchSize`, one after the other, reporting progress after each. */
  private async run<Result>(
    inputs: readonly string[],
    options: ResolvedServiceFillOptions,
    sendChunk: (chunk: readonly string[]) => Promise<Result[]>,
  ): Promise<Result[]> {
    options.signal?.throwIfAborted();
    const results: Result[] = [];
    for (let start = 0; start < inputs.length; start += this.parts.batchSize) {
      options.signal?.throwIfAborted();
      this.checkNotDisposed();
      results.push(...(await sendChunk(inputs.slice(start, start + this.parts.batchSize))));
      options.onProgress?.({ completed: results.length, total: inputs.length });
    }
    return results;
  }

  /**
   * A service refuses a whole request for one bad input (too long, say); sending that request's
   * inputs one by one again puts each one's error in its own slot.
   */
  private async sendSettled(inputs: readonly string[], options: ResolvedServiceFillOptions): Promise<FillSettledResult[]> {
    try {
      return (await this.send(inputs, options)).map((value) => ({ status: 'fulfilled', value }));
    } catch (error) {
      if (inputs.length === 1 && isInputError(error)) return [{ status: 'rejected', reason: error as Error }];
      if (!isInputError(error)) throw error;
    }
    const settled: FillSettledResult[] = [];
    for (const input of inputs) settled.push(...(await this.sendSettled([input], options)));
    return settled;
  }

  private async send(inputs: readonly string[], options: ResolvedServiceFillOptions): Promise<MaskPredictions[][]> {
    const { service, backendName } = this.parts;
    let results: unknown;
    try {
      results = await service.fill({
        inputs,
        topK: options.topK,
        targets: options.targets,
        truncation: options.truncation || undefined,
        signal: options.signal,
      });
    } catch (error) {
      if (FillMaskError.isInstance(error) || (options.signal?.aborted && error === options.signal.reason)) throw error;
      throw new InferenceError({
        backend: backendName,
        message: `the service call failed: ${String((error as Error)?.message ?? error)}`,
        cause: error,
      });
    }
    if (!Array.isArray(results) || results.length !== inputs.length || !results.every(isMaskList)) {
      throw new InferenceError({
        backend: backendName,
        message: `expected one list of mask predictions for each of the ${inputs.length} inputs, received ${describeResults(results)}.`,
      });
    }
    return results as MaskPredictions[][];
  }

  private checkNotDisposed(): void {
    if (this.disposed) throw new DisposedError('This fill-mask object');
  }
}

/** Errors that belong to one input, as opposed to the service or the connection failing. */
function isInputError(error: unknown): boolean {
  if (MissingMaskError.isInstance(error) || InputTooLongError.isInstance(error) || InvalidArgumentError.isInstance(error)) return true;
  return RemoteRequestError.isInstance(error) && (error.status === 400 || error.status === 413 || error.status === 422);
}

function isMaskList(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0 && value.every(Array.isArray);
}

function checkInputArray(inputs: unknown): readonly unknown[] {
  if (!Array.isArray(inputs)) {
    throw new InvalidArgumentError({ argument: 'inputs', value: inputs, expected: 'a string or an array of strings' });
  }
  return inputs;
}

function describeResults(results: unknown): string {
  return Array.isArray(results) ? `${results.length} results, not all lists of mask predictions` : typeof results;
}
