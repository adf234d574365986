import { activate, readActivation, type Activation } from './activation.js';
import { attentionShape, readAttention, type Attend, type AttentionShape, type AttentionWeights } from './attention.js';
import type { GraphBuilder } from './graph-builder.js';
import { layerNorm, readNorm, type NormWeights } from './layer-norm.js';
import { linear, readLinear, type LinearWeights } from './linear.js';
import type { ModelDescription } from './model-description.js';

/** The weights of one post-norm encoder layer (BERT's, and its descendants'). */
export interface EncoderLayerWeights {
  readonly attention: AttentionWeights;
  readonly attentionOutput: LinearWeights;
  readonly attentionNorm: NormWeights;
  readonly intermediate: LinearWeights;
  readonly output: LinearWeights;
  readonly outputNorm: NormWeights;
}

/** Where each part of a layer lies in the checkpoint, names without `.weight`/`.bias`. */
export interface EncoderLayerNames {
  readonly query: string;
  readonly key: string;
  readonly value: string;
  readonly attentionOutput: string;
  readonly attentionNorm: string;
  readonly intermediate: string;
  readonly output: string;
  readonly outputNorm: string;
}

export interface EncoderLayerShape {
  readonly hidden: number;
  readonly intermediate: number;
  readonly attention: AttentionShape;
  readonly activation: Activation;
  readonly layerNormEps: number;
}

/** The names of a BERT-style layer under `layer` (`bert.encoder.layer.3`), as BERT, RoBERTa and ELECTRA name them. */
export function bertLayerNames(layer: string): EncoderLayerNames {
  return {
    query: `${layer}.attention.self.query`,
    key: `${layer}.attention.self.key`,
    value: `${layer}.attention.self.value`,
    attentionOutput: `${layer}.attention.output.dense`,
    attentionNorm: `${layer}.attention.output.LayerNorm`,
    intermediate: `${layer}.intermediate.dense`,
    output: `${layer}.output.dense`,
    outputNorm: `${layer}.output.LayerNorm`,
  };
}

/** The layer shape from BertConfig's fields (`hidden_size`, `intermediate_size`, `num_attention_heads`, `hidden_act`, `layer_norm_eps`), which its descendants share. */
export function readBertStyleLayerShape(
  model: ModelDescription,
  defaults: { activation: Parameters<typeof readActivation>[2]; layerNormEps: number },
): EncoderLayerShape {
  const hidden = model.integer('hidden_size');
  return {
    hidden,
    intermediate: model.integer('intermediate_size'),
    attention: attentionShape(model, hidden),
    activation: readActivation(model, 'hidden_act', defaults.activation),
    layerNormEps: model.number('layer_norm_eps', defaults.layerNormEps),
  };
}

export function readEncoderLayer(model: ModelDescription, names: EncoderLayerNames, shape: EncoderLayerShape): EncoderLayerWeights {
  const { hidden, intermediate } = shape;
  return {
    attention: readAttention(model, names, hidden, shape.attention),
    attentionOutput: readLinear(model, names.attentionOutput, shape.attention.heads * shape.attention.headSize, hidden),
    attentionNorm: readNorm(model, names.attentionNorm, hidden),
    intermediate: readLinear(model, names.intermediate, hidden, intermediate),
    output: readLinear(model, names.output, intermediate, hidden),
    outputNorm: readNorm(model, names.outputNorm, hidden),
  };
}

/**
 * One post-norm encoder layer: `h = LN(x + Wo·attention(x))`, then `LN(h + W2·act(W1·h))`, as BERT,
 * RoBERTa, DistilBERT, ALBERT, ELECTRA and DeBERTa compute it (dropout is the identity at inference),
 * `attend` computing the attention (`scaledDotProductAttention`, or DeBERTa's disentangled one).
 */
export function encoderLayer(
  builder: GraphBuilder,
  scope: string,
  input: string,
  attend: Attend,
  layer: EncoderLayerWeights,
  shape: EncoderLayerShape,
): string {
  const context = attend(`${scope}/attention`, input, layer.attention);
  const attended = linear(builder, `${scope}/attention/output`, context, layer.attentionOutput);
  const afterAttention = layerNorm(
    builder,
    `${scope}/attention/output`,
    builder.op(`${scope}/attention/output`, 'Add', [attended, input]),
    layer.attentionNorm,
    shape.layerNormEps,
  );
  const expanded = activate(
    builder,
    `${scope}/intermediate`,
    linear(builder, `${scope}/intermediate`, afterAttention, layer.intermediate),
    shape.activation,
  );
  const projected = linear(builder, `${scope}/output`, expanded, layer.output);
  return layerNorm(
    builder,
    `${scope}/output`,
    builder.op(`${scope}/output`, 'Add', [projected, afterAttention]),
    layer.outputNorm,
    shape.layerNormEps,
  );
}
