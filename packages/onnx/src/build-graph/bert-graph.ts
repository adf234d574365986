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
 * BERT (`BertForMaskedLM`, and checkpoints saved from `BertForPreTraining`, whose pooler and
 * next-sentence head are left out): `bert.embeddings`, `bert.encoder.layer.N`, `cls.predictions`.
 * Checkpoints saved without the `bert.` prefix are read too.
 */
export function buildBertGraph(model: ModelDescription, builder: GraphBuilder): void {
  const vocab = model.integer('vocab_size');
  const layers = model.integer('num_hidden_layers');
  const shape = readBertStyleLayerShape(model, { activation: 'gelu', layerNormEps: 1e-12 });
  const { hidden } = shape;
  const typeVocab = model.integer('type_vocab_size', 2);
  model.oneOf('position_embedding_type', 'absolute', ['absolute']);
  const base = model.prefixOf(['bert.', ''], 'embeddings.word_embeddings.weight');

  const words = model.weight(`${base}embeddings.word_embeddings.weight`, [vocab, hidden]);
  const embeddings = {
    words,
    positions: model.weight(`${base}embeddings.position_embeddings.weight`, [model.integer('max_position_embeddings', 512), hidden]),
    tokenTypes: typeVocab > 0 ? model.weight(`${base}embeddings.token_type_embeddings.weight`, [typeVocab, hidden]) : undefined,
    norm: readNorm(model, `${base}embeddings.LayerNorm`, hidden),
  };
  const encoder = Array.from({ length: layers }, (_, index) =>
    readEncoderLayer(model, bertLayerNames(`${base}encoder.layer.${index}`), shape),
  );
  const head = {
    dense: readLinear(model, 'cls.predictions.transform.dense', hidden, hidden),
    activation: shape.activation,
    norm: readNorm(model, 'cls.predictions.transform.LayerNorm', hidden),
    decoder: model.tiedWeight('cls.predictions.decoder.weight', words.name, [vocab, hidden]),
    bias: model.tiedWeight('cls.predictions.decoder.bias', 'cls.predictions.bias', [vocab]),
  };

  const inputs = declareMaskedLmInputs(builder, { tokenTypes: typeVocab > 0 });
  const attend = scaledDotProductAttention(builder, additiveAttentionMask(builder, inputs.attentionMask), shape.attention);
  let hiddenStates = embed(builder, inputs, embeddings, { kind: 'absolute' }, shape.layerNormEps);
  encoder.forEach((layer, index) => {
    hiddenStates = encoderLayer(builder, `/encoder/layer.${index}`, hiddenStates, attend, layer, shape);
  });
  maskedLmHead(builder, hiddenStates, head, shape.layerNormEps);
  declareLogitsOutput(builder, vocab);
}
