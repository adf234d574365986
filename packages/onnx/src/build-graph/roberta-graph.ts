import { additiveAttentionMask } from './attention-mask.js';
import { scaledDotProductAttention } from './attention.js';
import { embed } from './embeddings.js';
import type { GraphBuilder } from './graph-builder.js';
import { readNorm } from './layer-norm.js';
import { readLinear } from './linear.js';
import { maskedLmHead } from './masked-lm-head.js';
import { declareLogitsOutput, declareMaskedLmInputs } from './masked-lm-io.js';
import type { ModelDescription } from './model-description.js';
import { bertLayerNames, encoderLayer, readBertStyleLayerShape, readEncoderLayer } from './transformer-layer.js';

/**
 * RoBERTa, XLM-RoBERTa and CamemBERT (`roberta.*`, `lm_head.*`): BERT's encoder with position ids
 * counted after the padding id (computed from `input_ids` in the graph, as transformers does), one
 * token type (no `token_type_ids` input, as in their Optimum export), and a head whose activation is
 * always the exact gelu.
 */
export function buildRobertaGraph(model: ModelDescription, builder: GraphBuilder): void {
  const vocab = model.integer('vocab_size');
  const layers = model.integer('num_hidden_layers');
  const shape = readBertStyleLayerShape(model, { activation: 'gelu', layerNormEps: 1e-12 });
  const { hidden } = shape;
  const paddingIdx = model.integer('pad_token_id', 1);
  model.oneOf('position_embedding_type', 'absolute', ['absolute']);
  const base = model.prefixOf(['roberta.', ''], 'embeddings.word_embeddings.weight');

  const words = model.weight(`${base}embeddings.word_embeddings.weight`, [vocab, hidden]);
  const embeddings = {
    words,
    positions: model.weight(`${base}embeddings.position_embeddings.weight`, [model.integer('max_position_embeddings', 512), hidden]),
    tokenTypes: model.weight(`${base}embeddings.token_type_embeddings.weight`, [model.integer('type_vocab_size', 2), hidden]),
    norm: readNorm(model, `${base}embeddings.LayerNorm`, hidden),
  };
  const encoder = Array.from({ length: layers }, (_, index) =>
    readEncoderLayer(model, bertLayerNames(`${base}encoder.layer.${index}`), shape),
  );
  const head = {
    dense: readLinear(model, 'lm_head.dense', hidden, hidden),
    activation: 'erf-gelu' as const,
    norm: readNorm(model, 'lm_head.layer_norm', hidden),
    decoder: model.tiedWeight('lm_head.decoder.weight', words.name, [vocab, hidden]),
    bias: model.tiedWeight('lm_head.decoder.bias', 'lm_head.bias', [vocab]),
  };

  const inputs = declareMaskedLmInputs(builder, { tokenTypes: false });
  const attend = scaledDotProductAttention(builder, additiveAttentionMask(builder, inputs.attentionMask), shape.attention);
  let hiddenStates = embed(builder, inputs, embeddings, { kind: 'after-padding', paddingIdx }, shape.layerNormEps);
  encoder.forEach((layer, index) => {
    hiddenStates = encoderLayer(builder, `/encoder/layer.${index}`, hiddenStates, attend, layer, shape);
  });
  maskedLmHead(builder, hiddenStates, head, shape.layerNormEps);
  declareLogitsOutput(builder, vocab);
}
