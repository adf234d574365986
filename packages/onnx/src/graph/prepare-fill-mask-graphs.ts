import type { ExternalDataReader } from './external-data.js';
import { gatherMaskRows, type MaskRowsOptions } from './gather-mask-rows.js';
import { productsAsPointwiseConvolutions, type PointwiseConvolutionScope } from './products-as-pointwise-convolutions.js';
import { checkPerSequenceQuantization, quantizePerSequence } from './quantize-per-sequence.js';
import { countSequenceConvolutions } from './sequence-convolutions.js';
import { int8WeightsAsUnsigned } from './unsigned-int8-weights.js';

/**
 * The version of the graph preparation: raised whenever a change to it (any of the edits) changes the
 * graph it writes for the same file and options, since backends keep prepared graphs on disk by it.
 */
export const preparedGraphVersion = 1;

/** A graph ready to load: rewritten (`model`), or the file as it is (`model` undefined). */
export interface PreparedGraph {
  readonly model?: Uint8Array;
  /** Set when the graph projects only the mask rows: the input taking their flat positions. */
  readonly positionsInput?: string;
}

export interface FillMaskGraphOptions {
  /** False keeps the logits at every position (see the backends' `maskRowsOnly`). Default true. */
  readonly maskRowsOnly?: boolean;
  /**
   * Run products by fp32 weight matrices as 1×1 convolutions (`productsAsPointwiseConvolutions`), at
   * the mask rows or everywhere: faster on a few rows with onnxruntime's CPU provider and every graph
   * optimisation, slower on the rows of a batch, and for no other runtime. Weights in external data
   * are read through `readExternalData` where they must be transposed. Default false.
   */
  readonly pointwiseConvolutions?: false | PointwiseConvolutionScope;
  /**
   * Reads bytes of the graph's external data: an int8 graph whose weights lie outside it (left in
   * the file by `readModelWithWeightsByReference`'s `integerMatrices`, or a `model.onnx_data`) gets
   * its batch variant only with it, which reads them once, one matrix at a time, to sum their
   * columns; the convolution rewrite converts products by fp32 weights that lie outside only with
   * it, and reads the `[K, N]` ones to transpose them. Give it only when the runtime will find the
   * external data the prepared graph names, and the same reader to `prepareFillMaskGraphs` and
   * `prepareBatchGraph`.
   */
  readonly readExternalData?: ExternalDataReader;
  /**
   * The caller will mostly fill batches (a file, a server): for an int8 graph that has a per-input
   * quantized variant, `single` is that variant, which answers one input exactly as the plain graph
   * does, a little slower, so that no second graph is prepared and opened at the first batch.
   * Default false.
   */
  readonly batchesOnly?: boolean;
  /**
   * Store int8 weight matrices as uint8, value and zero point plus 128 (`int8WeightsAsUnsigned`): the
   * same products, for a runtime that would convert them itself as it loads the graph, as
   * onnxruntime's x64 CPU provider does where its exact u8×u8 kernel is asked for
   * (`session.x64quantprecision`). Default false.
   */
  readonly unsignedInt8Weights?: boolean;
}

export interface FillMaskGraphs {
  /** The graph for one input at a time, and for every batch unless `batchGraph`. */
  readonly single: PreparedGraph;
  /**
   * True when batches of several inputs should run `prepareBatchGraph`'s variant instead: the graph
   * is int8 with one quantization scale per tensor, so in `single` batch-mates would change each
   * other's answers. Build it when the first such batch comes; it is slower than `single` for one input.
   */
  readonly batchGraph: boolean;
  /** True when batching does not change any input's answers, through the batch graph or because `single` never did. */
  readonly batchInvariant: boolean;
  /**
   * True when padding changes the real tokens' answers (`countSequenceConvolutions`): such a graph runs
   * a batch's rows in groups of equal length, without padding, which keeps batching from changing answers.
   */
  readonly paddingDependent: boolean;
  /** What was done and what was not, for the debug log. */
  readonly notes: readonly string[];
}

/**
 * Prepares a masked-LM graph for fill-mask: the vocabulary projection moved to the mask rows
 * (`gatherMaskRows`), and for an int8 graph whether a variant quantizing each input on its own
 * (`quantizePerSequence`) can run its batches without changing their scores.
 */
export function prepareFillMaskGraphs(model: Uint8Array, options: FillMaskGraphOptions = {}): FillMaskGraphs {
  if (options.batchesOnly) {
    const variant = variantOnly(model, options);
    if (variant !== undefined) return variant;
  }
  const single = withUnsignedWeights(model, withConvolutions(model, maskRows(model, options), options), options);
  const { paddingDependent, paddingNotes } = paddingDependence(model);
  const notes = [...single.notes, ...paddingNotes];
  const perSequence = checkPerSequenceQuantization(model, { readExternalData: options.readExternalData });
  switch (perSequence.kind) {
    case 'no-dynamic-quantization':
      return { single: single.graph, batchGraph: false, batchInvariant: true, paddingDependent, notes };
    case 'skipped':
      return {
        single: single.graph,
        batchGraph: false,
        batchInvariant: false,
        paddingDependent,
        notes: [...notes, `int8 activations stay quantized per tensor, so inputs run one at a time by default: ${perSequence.reason}`],
      };
    case 'rewritten':
      return {
        single: single.graph,
        batchGraph: true,
        batchInvariant: true,
        paddingDependent,
        notes: [
          ...notes,
          `batches of several inputs will run a variant that quantizes each input on its own (${perSequence.quantizers} quantizers)`,
        ],
      };
  }
}

/** `batchesOnly`: the per-input variant as the one graph, or undefined when the graph has none (fp32, or a quantization it cannot rewrite). */
function variantOnly(model: Uint8Array, options: FillMaskGraphOptions): FillMaskGraphs | undefined {
  const perSequence = quantizePerSequence(model, { readExternalData: options.readExternalData });
  if (perSequence.kind !== 'rewritten') return undefined;
  const variant = preparedVariant(perSequence, options);
  const { paddingDependent, paddingNotes } = paddingDependence(model);
  return {
    single: variant.graph,
    batchGraph: false,
    batchInvariant: true,
    paddingDependent,
    notes: [
      ...variant.notes,
      `every input runs the variant that quantizes each input on its own (${perSequence.quantizers} quantizers), as batches are expected`,
      ...paddingNotes,
    ],
  };
}

/** The per-input quantized graph with its mask rows gathered (and convolutions, when asked for). */
function preparedVariant(
  perSequence: Extract<ReturnType<typeof quantizePerSequence>, { kind: 'rewritten' }>,
  options: FillMaskGraphOptions,
): { graph: PreparedGraph & { model: Uint8Array }; notes: readonly string[] } {
  const rows = maskRows(perSequence.model, options, perSequence);
  const prepared = withUnsignedWeights(perSequence.model, withConvolutions(perSequence.model, rows, options), options);
  return { graph: { model: perSequence.model, ...prepared.graph }, notes: prepared.notes };
}

/** The prepared graph with its int8 weight matrices stored as uint8, when asked for (`unsignedInt8Weights`). */
function withUnsignedWeights(
  original: Uint8Array,
  prepared: { graph: PreparedGraph; notes: string[] },
  options: FillMaskGraphOptions,
): { graph: PreparedGraph; notes: string[] } {
  if (!options.unsignedInt8Weights) return prepared;
  const rewrite = int8WeightsAsUnsigned(prepared.graph.model ?? original, { readExternalData: options.readExternalData });
  if (!rewrite.rewritten) return prepared;
  return {
    graph: { ...prepared.graph, model: rewrite.model },
    notes: [...prepared.notes, `${rewrite.matrices} int8 weight matrices are stored as uint8 (values and zero points plus 128)`],
  };
}

/** Whether padding changes a graph's answers (`countSequenceConvolutions`), with the note that says so. */
function paddingDependence(model: Uint8Array): { paddingDependent: boolean; paddingNotes: string[] } {
  const count = countSequenceConvolutions(model);
  return {
    paddingDependent: count > 0,
    paddingNotes:
      count > 0
        ? [
            `${count} convolutions read neighbouring positions, so padding would change answers: batches run in groups of inputs of equal length`,
          ]
        : [],
  };
}

/** The variant of an int8 graph for batches (see `FillMaskGraphs.batchGraph`), with its debug note; throws if there is none. */
export function prepareBatchGraph(
  model: Uint8Array,
  options: FillMaskGraphOptions = {},
): { graph: PreparedGraph & { model: Uint8Array }; note: string } {
  const perSequence = quantizePerSequence(model, { readExternalData: options.readExternalData });
  if (perSequence.kind !== 'rewritten')
    throw new Error(
      `no per-input quantized variant: ${perSequence.kind === 'skipped' ? perSequence.reason : 'the graph has no dynamic quantization'}`,
    );
  const variant = preparedVariant(perSequence, options);
  return { graph: variant.graph, note: `the variant quantizing each input on its own ${variant.notes.join('; ')}` };
}

/**
 * `maskRows`'s graph with its fp32 weight products as convolutions, when asked for. At the mask rows,
 * a graph with no rows gathered (`rows.note` says why) or no fp32 product among them (int8) gets no
 * note of its own; one whose products could not be converted gets the reason.
 */
function withConvolutions(
  original: Uint8Array,
  rows: { graph: PreparedGraph; note: string },
  options: FillMaskGraphOptions,
): { graph: PreparedGraph; notes: string[] } {
  const scope = options.pointwiseConvolutions;
  if (!scope || (scope === 'mask-rows' && !rows.graph.positionsInput)) return { graph: rows.graph, notes: [rows.note] };
  const rewrite = productsAsPointwiseConvolutions(rows.graph.model ?? original, scope, { readExternalData: options.readExternalData });
  if (!rewrite.rewritten) {
    const quiet = scope === 'mask-rows' && rewrite.noProducts === true;
    return {
      graph: rows.graph,
      notes: quiet ? [rows.note] : [rows.note, `no weight product runs as a 1×1 convolution: ${rewrite.reason}`],
    };
  }
  return {
    graph: { ...rows.graph, model: rewrite.model },
    notes: [rows.note, `${rewrite.convolutions} weight products run as 1×1 convolutions (${rewrite.biases} with their bias)`],
  };
}

function maskRows(
  graph: Uint8Array,
  options: FillMaskGraphOptions,
  scalars?: Pick<MaskRowsOptions, 'rowScalars' | 'inputScalars'>,
): { graph: PreparedGraph; note: string } {
  if (options.maskRowsOnly === false)
    return { graph: {}, note: 'runs unchanged, computing logits at every position: maskRowsOnly is false' };
  const rewrite = gatherMaskRows(graph, { rowScalars: scalars?.rowScalars, inputScalars: scalars?.inputScalars });
  if (!rewrite.rewritten) return { graph: {}, note: `runs unchanged, computing logits at every position: ${rewrite.reason}` };
  return {
    graph: { model: rewrite.model, positionsInput: rewrite.positionsInput },
    note: `rewritten: ${rewrite.maskRowOps} ops, the vocabulary projection among them, run on the mask rows only`,
  };
}
