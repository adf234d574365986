import { readActivation } from './activation.js';
import { additiveAttentionMask } from './attention-mask.js';
import { attentionShape, scaledDotProductAttention } from './attention.js';
import { embed } from './embeddings.js';
import type { GraphBuilder } from './graph-builder.js';
import { readNorm } from './layer-norm.js';
import { readLinear } from './linear.js';
import { maskedLmHead } from './masked-lm-head.js';
import { declareLogitsOutput, declareMaskedLmInputs } from './masked-lm-io.js';
import type { ModelDescription } from './model-description.js';
import { encoderLayer, readEncoderLayer, type EncoderLayerShape } from './transformer-layer.js';

/** DistilBERT's LayerNorms all use 1e-12, whatever config.json says. */
const distilBertLayerNormEps = 1e-12;

/**
 * DistilBERT (`distilbert.*`, `vocab_transform`, `vocab_layer_norm`, `vocab_projector`): BERT's
 * layers under other names and config fields (`dim`, `n_layers`, `n_heads`, `hidden_dim`,
 * `activation`), no token types, and a head using the model's activation.
 */
export function buildDistilBertGraph(model: ModelDescription, builder: GraphBuilder): void {
  const vocab = model.integer('vocab_size');
  const hidden = model.integer('dim');
  const layers = model.integer('n_layers');
  const shape: EncoderLayerShape = {
    hidden,
    intermediate: model.integer('hidden_dim'),
    attention: attentionShape(model, hidden, 'n_heads'),
    activation: readActivation(model, 'activation', 'gelu'),
    layerNormEps: distilBertLayerNormEps,
  };
  const base = model.prefixOf(['distilbert.', ''], 'embeddings.word_embeddings.weight');

  const words = model.weight(`${base}embeddings.word_embeddings.weight`, [vocab, hidden]);
  const embeddings = {
    words,
    positions: model.weight(`${base}embeddings.position_embeddings.weight`, [model.integer('max_position_embeddings', 512), hidden]),
    norm: readNorm(model, `${base}embeddings.LayerNorm`, hidden),
  };
  const encoder = Array.from({ length: layers }, (_, index) => {
    const layer = `${base}transformer.layer.${index}`;
    return readEncoderLayer(
      model,
      {
        query: `${layer}.attention.q_lin`,
        key: `${layer}.attention.k_lin`,
        value: `${layer}.attention.v_lin`,
        attentionOutput: `${layer}.attention.out_lin`,
        attentionNorm: `${layer}.sa_layer_norm`,
        intermediate: `${layer}.ffn.lin1`,
        output: `${layer}.ffn.lin2`,
        outputNorm: `${layer}.output_layer_norm`,
      },
      shape,
    );
  });
  const head = {
    dense: readLinear(model, 'vocab_transform', hidden, hidden),
    activation: shape.activation,
    norm: readNorm(model, 'vocab_layer_norm', hidden),
    decoder: model.tiedWeight('vocab_projector.weight', words.name, [vocab, hidden]),
    bias: model.weight('vocab_projector.bias', [vocab]),
  };

  const inputs = declareMaskedLmInputs(builder, { tokenTypes: false });
  const attend = scaledDotProductAttention(builder, additiveAttentionMask(builder, inputs.attentionMask), shape.attention);
  let hiddenStates = embed(builder, inputs, embeddings, { kind: 'absolute' }, distilBertLayerNormEps);
  encoder.forEach((layer, index) => {
    hiddenStates = encoderLayer(builder, `/transformer/layer.${index}`, hiddenStates, attend, layer, shape);
  });
  maskedLmHead(builder, hiddenStates, head, distilBertLayerNormEps);
  declareLogitsOutput(builder, vocab);
}
