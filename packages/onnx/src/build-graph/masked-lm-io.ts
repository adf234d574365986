import { ElementType } from '../graph/onnx-fields.js';
import type { GraphBuilder } from './graph-builder.js';

/** The graph inputs of an Optimum masked-LM export, which the rewrites and the session model expect. */
export interface MaskedLmInputs {
  readonly inputIds: string;
  readonly attentionMask: string;
  /** Declared for the families whose Optimum export takes token types (BERT, ALBERT, ELECTRA). */
  readonly tokenTypeIds?: string;
}

const batchBySequence = ['batch_size', 'sequence_length'];

/** `input_ids`, `attention_mask` and, when `tokenTypes`, `token_type_ids`: int64 `[batch_size, sequence_length]`. */
export function declareMaskedLmInputs(builder: GraphBuilder, options: { tokenTypes: boolean }): MaskedLmInputs {
  const inputIds = builder.addInput('input_ids', ElementType.int64, batchBySequence);
  const attentionMask = builder.addInput('attention_mask', ElementType.int64, batchBySequence);
  if (!options.tokenTypes) return { inputIds, attentionMask };
  return { inputIds, attentionMask, tokenTypeIds: builder.addInput('token_type_ids', ElementType.int64, batchBySequence) };
}

/** The output every masked-LM graph ends in: float32 `[batch_size, sequence_length, vocab]`. */
export const logitsOutput = 'logits';

export function declareLogitsOutput(builder: GraphBuilder, vocab: number): void {
  builder.addOutput(logitsOutput, ElementType.float, [...batchBySequence, vocab]);
}
