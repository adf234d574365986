import type { WeightTensor } from '../weights/model-weights.js';
import { activate, type Activation } from './activation.js';
import type { GraphBuilder } from './graph-builder.js';
import { layerNorm, type NormWeights } from './layer-norm.js';
import { linear, type LinearWeights } from './linear.js';
import { logitsOutput } from './masked-lm-io.js';
import { weightInitializer } from './weight-initializers.js';

/** A prediction head: `decoder(LayerNorm(act(dense(h)))) + bias`. */
export interface MaskedLmHeadWeights {
  readonly dense: LinearWeights;
  readonly activation: Activation;
  readonly norm: NormWeights;
  /** `[vocab, features]`: the word embeddings when tied (`ModelDescription.tiedWeight`), the decoder's own weight otherwise. */
  readonly decoder: WeightTensor;
  readonly bias?: WeightTensor;
}

/** The head, ending in the graph output `logits`. */
export function maskedLmHead(builder: GraphBuilder, hidden: string, head: MaskedLmHeadWeights, layerNormEps: number): void {
  const scope = '/head';
  const transformed = layerNorm(
    builder,
    `${scope}/LayerNorm`,
    activate(builder, `${scope}/activation`, linear(builder, `${scope}/dense`, hidden, head.dense), head.activation),
    head.norm,
    layerNormEps,
  );
  // [vocab, features] read through a Transpose, as exports of tied embeddings do: the matrix is in the model once.
  const projection = builder.op(`${scope}/decoder`, 'Transpose', [weightInitializer(builder, head.decoder)], { perm: [1, 0] });
  if (!head.bias) {
    builder.opInto(logitsOutput, `${scope}/decoder`, 'MatMul', [transformed, projection]);
    return;
  }
  const product = builder.op(`${scope}/decoder`, 'MatMul', [transformed, projection]);
  builder.opInto(logitsOutput, `${scope}/decoder`, 'Add', [product, weightInitializer(builder, head.bias)]);
}
