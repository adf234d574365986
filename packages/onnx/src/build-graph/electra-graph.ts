import { additiveAttentionMask } from './attention-mask.js';
import { scaledDotProductAttention } from './attention.js';
import { embed } from './embeddings.js';
import type { GraphBuilder } from './graph-builder.js';
import { readNorm } from './layer-norm.js';
import { linear, readLinear } from './linear.js';
import { maskedLmHead } from './masked-lm-head.js';
import { declareLogitsOutput, declareMaskedLmInputs } from './masked-lm-io.js';
import type { ModelDescription } from './model-description.js';
import { bertLayerNames, encoderLayer, readBertStyleLayerShape, readEncoderLayer } from './transformer-layer.js';

/**
 * The ELECTRA generator (`ElectraForMaskedLM`: `electra.*`, `generator_predictions.*`,
 * `generator_lm_head`): BERT's encoder over embeddings of `embedding_size`, projected to the
 * hidden size (`embeddings_project`) when they differ, and a head whose activation is always the
 * exact gelu. A discriminator checkpoint (`ElectraForPreTraining`) has no generator head: it is
 * reported as lacking `generator_predictions` weights.
 */
export function buildElectraGraph(model: ModelDescription, builder: GraphBuilder): void {
  const vocab = model.integer('vocab_size');
  const embedding = model.integer('embedding_size', 128);
  const layers = model.integer('num_hidden_layers');
  const shape = readBertStyleLayerShape(model, { activation: 'gelu', layerNormEps: 1e-12 });
  const { hidden } = shape;
  const typeVocab = model.integer('type_vocab_size', 2);
  model.oneOf('position_embedding_type', 'absolute', ['absolute']);
  const base = model.prefixOf(['electra.', ''], 'embeddings.word_embeddings.weight');

  const words = model.weight(`${base}embeddings.word_embeddings.weight`, [vocab, embedding]);
  const embeddings = {
    words,
    positions: model.weight(`${base}embeddings.position_embeddings.weight`, [model.integer('max_position_embeddings', 512), embedding]),
    tokenTypes: typeVocab > 0 ? model.weight(`${base}embeddings.token_type_embeddings.weight`, [typeVocab, embedding]) : undefined,
    norm: readNorm(model, `${base}embeddings.LayerNorm`, embedding),
  };
  // transformers adds the projection exactly when the sizes differ.
  const projection = embedding === hidden ? undefined : readLinear(model, `${base}embeddings_project`, embedding, hidden);
  const encoder = Array.from({ length: layers }, (_, index) =>
    readEncoderLayer(model, bertLayerNames(`${base}encoder.layer.${index}`), shape),
  );
  const head = {
    dense: readLinear(model, 'generator_predictions.dense', hidden, embedding),
    activation: 'erf-gelu' as const,
    norm: readNorm(model, 'generator_predictions.LayerNorm', embedding),
    decoder: model.tiedWeight('generator_lm_head.weight', words.name, [vocab, embedding]),
    bias: model.weight('generator_lm_head.bias', [vocab]),
  };

  const inputs = declareMaskedLmInputs(builder, { tokenTypes: typeVocab > 0 });
  const attend = scaledDotProductAttention(builder, additiveAttentionMask(builder, inputs.attentionMask), shape.attention);
  let hiddenStates = embed(builder, inputs, embeddings, { kind: 'absolute' }, shape.layerNormEps);
  if (projection) hiddenStates = linear(builder, '/embeddings_project', hiddenStates, projection);
  encoder.forEach((layer, index) => {
    hiddenStates = encoderLayer(builder, `/encoder/layer.${index}`, hiddenStates, attend, layer, shape);
  });
  maskedLmHead(builder, hiddenStates, head, shape.layerNormEps);
  declareLogitsOutput(builder, vocab);
}
