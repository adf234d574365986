import { additiveAttentionMask } from './attention-mask.js';
import { scaledDotProductAttention } from './attention.js';
import { embed } from './embeddings.js';
import type { GraphBuilder } from './graph-builder.js';
import { readNorm } from './layer-norm.js';
import { linear, readLinear } from './linear.js';
import { maskedLmHead } from './masked-lm-head.js';
import { declareLogitsOutput, declareMaskedLmInputs } from './masked-lm-io.js';
import type { ModelDescription } from './model-description.js';
import { encoderLayer, readBertStyleLayerShape, readEncoderLayer, type EncoderLayerWeights } from './transformer-layer.js';

/**
 * ALBERT (`albert.*`, `predictions.*`): embeddings of `embedding_size` mapped to the hidden size
 * (`embedding_hidden_mapping_in`), and `num_hidden_layers` layers drawn from `num_hidden_groups`
 * groups of `inner_group_num` shared layers, in transformers' order: each group's weights are one
 * set of initializers, read by every layer that uses it.
 */
export function buildAlbertGraph(model: ModelDescription, builder: GraphBuilder): void {
  const vocab = model.integer('vocab_size');
  const embedding = model.integer('embedding_size', 128);
  const layers = model.integer('num_hidden_layers');
  const groups = model.integer('num_hidden_groups', 1);
  const innerLayers = model.integer('inner_group_num', 1);
  const shape = readBertStyleLayerShape(model, { activation: 'gelu_new', layerNormEps: 1e-12 });
  const { hidden } = shape;
  const typeVocab = model.integer('type_vocab_size', 2);
  model.oneOf('position_embedding_type', 'absolute', ['absolute']);
  if (groups === 0 || groups > layers)
    throw model.unsupported(`config.json's num_hidden_groups ${groups} is not between 1 and num_hidden_layers ${layers}.`);
  const base = model.prefixOf(['albert.', ''], 'embeddings.word_embeddings.weight');

  const words = model.weight(`${base}embeddings.word_embeddings.weight`, [vocab, embedding]);
  const embeddings = {
    words,
    positions: model.weight(`${base}embeddings.position_embeddings.weight`, [model.integer('max_position_embeddings', 512), embedding]),
    tokenTypes: typeVocab > 0 ? model.weight(`${base}embeddings.token_type_embeddings.weight`, [typeVocab, embedding]) : undefined,
    norm: readNorm(model, `${base}embeddings.LayerNorm`, embedding),
  };
  const mapping = readLinear(model, `${base}encoder.embedding_hidden_mapping_in`, embedding, hidden);
  const groupLayers: EncoderLayerWeights[][] = Array.from({ length: groups }, (_, group) =>
    Array.from({ length: innerLayers }, (_, inner) => {
      const layer = `${base}encoder.albert_layer_groups.${group}.albert_layers.${inner}`;
      return readEncoderLayer(
        model,
        {
          query: `${layer}.attention.query`,
          key: `${layer}.attention.key`,
          value: `${layer}.attention.value`,
          attentionOutput: `${layer}.attention.dense`,
          attentionNorm: `${layer}.attention.LayerNorm`,
          intermediate: `${layer}.ffn`,
          output: `${layer}.ffn_output`,
          outputNorm: `${layer}.full_layer_layer_norm`,
        },
        shape,
      );
    }),
  );
  const head = {
    dense: readLinear(model, 'predictions.dense', hidden, embedding),
    activation: shape.activation,
    norm: readNorm(model, 'predictions.LayerNorm', embedding),
    decoder: model.tiedWeight('predictions.decoder.weight', words.name, [vocab, embedding]),
    bias: model.tiedWeight('predictions.decoder.bias', 'predictions.bias', [vocab]),
  };

  const inputs = declareMaskedLmInputs(builder, { tokenTypes: typeVocab > 0 });
  const attend = scaledDotProductAttention(builder, additiveAttentionMask(builder, inputs.attentionMask), shape.attention);
  let hiddenStates = linear(
    builder,
    '/encoder/embedding_hidden_mapping_in',
    embed(builder, inputs, embeddings, { kind: 'absolute' }, shape.layerNormEps),
    mapping,
  );
  for (let index = 0; index < layers; index++) {
    // transformers' group index, in the same floating-point arithmetic.
    const group = Math.floor(index / (layers / groups));
    groupLayers[group].forEach((layer, inner) => {
      hiddenStates = encoderLayer(builder, `/encoder/layer.${index}/group.${group}/layer.${inner}`, hiddenStates, attend, layer, shape);
    });
  }
  maskedLmHead(builder, hiddenStates, head, shape.layerNormEps);
  declareLogitsOutput(builder, vocab);
}
