import { gatherMaskRows } from './gather-mask-rows.js';
import { quantizePerSequence } from './quantize-per-sequence.js';

/** A graph ready to load: rewritten (`model`), or the file as it is (`model` undefined). */
export interface PreparedGraph {
  readonly model?: Uint8Array;
  /** Set when the graph projects only the mask rows: the input taking their flat positions. */
  readonly positionsInput?: string;
}

export interface FillMaskGraphs {
  /** The graph for one input at a time, and for every batch when there is no `batch` graph. */
  readonly single: PreparedGraph;
  /**
   * For batches of several inputs, when `single` would let batch-mates change each other's answers
   * (an int8 graph with one quantization scale per tensor): the same graph quantizing per input.
   * Loaded only if such a batch comes, as it is slower than `single` for one input.
   */
  readonly batch?: PreparedGraph;
  /** True when batching does not change any input's answers, through `batch` or because `single` never did. */
  readonly batchInvariant: boolean;
  /** What was done and what was not, for the debug log. */
  readonly notes: readonly string[];
}

/**
 * Prepares a masked-LM graph for fill-mask: the vocabulary projection moved to the mask rows
 * (`gatherMaskRows`, unless `maskRowsOnly` is false), and for an int8 graph a second variant that
 * quantizes each input on its own (`quantizePerSequence`), so inputs can be batched without changing
 * their scores.
 */
export function prepareFillMaskGraphs(model: Uint8Array, options: { readonly maskRowsOnly?: boolean } = {}): FillMaskGraphs {
  const maskRows = (graph: Uint8Array, rowScalars?: ReadonlySet<string>): { graph: PreparedGraph; note: string } => {
    if (options.maskRowsOnly === false) return { graph: {}, note: 'runs unchanged, computing logits at every position: maskRowsOnly is false' };
    const rewrite = gatherMaskRows(graph, { rowScalars });
    if (!rewrite.rewritten) return { graph: {}, note: `runs unchanged, computing logits at every position: ${rewrite.reason}` };
    return {
      graph: { model: rewrite.model, positionsInput: rewrite.positionsInput },
      note: `rewritten: ${rewrite.maskRowOps} ops, the vocabulary projection among them, run on the mask rows only`,
    };
  };
  const single = maskRows(model);
  const perSequence = quantizePerSequence(model);
  switch (perSequence.kind) {
    case 'no-dynamic-quantization':
      return { single: single.graph, batchInvariant: true, notes: [single.note] };
    case 'skipped':
      return {
        single: single.graph,
        batchInvariant: false,
        notes: [single.note, `int8 activations stay quantized per tensor, so inputs run one at a time by default: ${perSequence.reason}`],
      };
    case 'rewritten': {
      const batch = maskRows(perSequence.model, perSequence.rowScalars);
      return {
        single: single.graph,
        batch: { model: perSequence.model, ...batch.graph },
        batchInvariant: true,
        notes: [single.note, `batches of several inputs run a variant that quantizes each input on its own (${perSequence.quantizers} quantizers); it ${batch.note}`],
      };
    }
  }
}
