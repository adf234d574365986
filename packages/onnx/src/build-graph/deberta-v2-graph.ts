import { ElementType } from '../graph/onnx-fields.js';
import { activate, readActivation, type Activation } from './activation.js';
import { additiveAttentionMask } from './attention-mask.js';
import type { AttentionShape, AttentionWeights } from './attention.js';
import { disentangledAttention, type RelativeAttention, type RelativeProjections } from './disentangled-attention.js';
import { firstRows } from './embeddings.js';
import type { GraphBuilder } from './graph-builder.js';
import { layerNorm, readNorm, type NormWeights } from './layer-norm.js';
import { linear, readLinear } from './linear.js';
import { maskedLmHead } from './masked-lm-head.js';
import { declareLogitsOutput, declareMaskedLmInputs } from './masked-lm-io.js';
import type { ModelDescription } from './model-description.js';
import { relativePositionTables } from './relative-position-buckets.js';
import { encoderLayer, readEncoderLayer, type EncoderLayerShape } from './transformer-layer.js';
import { weightInitializer } from './weight-initializers.js';
import type { WeightTensor } from '../weights/model-weights.js';

/**
 * DeBERTa-v2 and v3 (`DebertaV2ForMaskedLM`: `deberta.*`, and the `cls.predictions` head, or the
 * `lm_predictions.lm_head` one when config.json's `legacy` is false): BERT's post-norm layers with
 * disentangled attention over relative positions (`relative_attention`, `pos_att_type`,
 * `position_buckets`, `max_relative_positions`, `share_att_key`, `norm_rel_ebd`), embeddings with
 * or without absolute positions (`position_biased_input`) and token types, projected when
 * `embedding_size` differs from the hidden size, and the convolution after the first layer of
 * v2-xlarge (`conv_kernel_size`). Sequences can be as long as `max_position_embeddings`.
 */
export function buildDebertaV2Graph(model: ModelDescription, builder: GraphBuilder): void {
  const vocab = model.integer('vocab_size');
  const hidden = model.integer('hidden_size');
  const layers = model.integer('num_hidden_layers');
  const heads = model.integer('num_attention_heads');
  if (heads === 0 || (model.config.attention_head_size === undefined && hidden % heads !== 0))
    throw model.unsupported(`the hidden size ${hidden} is not a multiple of num_attention_heads ${heads}.`);
  const attention: AttentionShape = { heads, headSize: model.integer('attention_head_size', hidden / heads) };
  const shape: EncoderLayerShape = {
    hidden,
    intermediate: model.integer('intermediate_size'),
    attention,
    activation: readActivation(model, 'hidden_act', 'gelu'),
    layerNormEps: model.number('layer_norm_eps', 1e-7),
  };
  const embedding = model.integer('embedding_size', hidden);
  const maxPositions = model.integer('max_position_embeddings', 512);
  const typeVocab = model.integer('type_vocab_size', 0);
  const positionBiasedInput = model.boolean('position_biased_input', true);
  const attentionTypes = readAttentionTypes(model);
  const legacy = model.boolean('legacy', true);
  const base = model.prefixOf(['deberta.', ''], 'embeddings.word_embeddings.weight');

  const words = model.weight(`${base}embeddings.word_embeddings.weight`, [vocab, embedding]);
  const positions = positionBiasedInput
    ? model.weight(`${base}embeddings.position_embeddings.weight`, [maxPositions, embedding])
    : undefined;
  const tokenTypes = typeVocab > 0 ? model.weight(`${base}embeddings.token_type_embeddings.weight`, [typeVocab, embedding]) : undefined;
  const embeddingProjection =
    embedding === hidden ? undefined : readLinear(model, `${base}embeddings.embed_proj`, embedding, hidden, { bias: false });
  const embeddingNorm = readNorm(model, `${base}embeddings.LayerNorm`, hidden);
  const relative = readRelativeAttention(model, base, hidden, maxPositions);
  const width = attention.heads * attention.headSize;
  const projections = new Map<AttentionWeights, RelativeProjections>();
  const encoder = Array.from({ length: layers }, (_, index) => {
    const layer = `${base}encoder.layer.${index}`;
    const weights = readEncoderLayer(
      model,
      {
        query: `${layer}.attention.self.query_proj`,
        key: `${layer}.attention.self.key_proj`,
        value: `${layer}.attention.self.value_proj`,
        attentionOutput: `${layer}.attention.output.dense`,
        attentionNorm: `${layer}.attention.output.LayerNorm`,
        intermediate: `${layer}.intermediate.dense`,
        output: `${layer}.output.dense`,
        outputNorm: `${layer}.output.LayerNorm`,
      },
      shape,
    );
    if (relative) {
      const shared = relative.shareKeys;
      projections.set(weights.attention, {
        positionKey: attentionTypes.contentToPosition
          ? shared
            ? weights.attention.key
            : readLinear(model, `${layer}.attention.self.pos_key_proj`, hidden, width)
          : undefined,
        positionQuery: attentionTypes.positionToContent
          ? shared
            ? weights.attention.query
            : readLinear(model, `${layer}.attention.self.pos_query_proj`, hidden, width)
          : undefined,
      });
    }
    return weights;
  });
  const convolution = readConvolution(model, base, hidden, shape.layerNormEps);
  const head = legacy
    ? {
        dense: readLinear(model, 'cls.predictions.transform.dense', hidden, embedding),
        activation: shape.activation,
        norm: readNorm(model, 'cls.predictions.transform.LayerNorm', embedding),
        decoder: model.tiedWeight('cls.predictions.decoder.weight', words.name, [vocab, embedding]),
        bias: model.tiedWeight('cls.predictions.decoder.bias', 'cls.predictions.bias', [vocab]),
      }
    : {
        dense: readLinear(model, 'lm_predictions.lm_head.dense', hidden, hidden),
        activation: shape.activation,
        norm: readNorm(model, 'lm_predictions.lm_head.LayerNorm', hidden),
        // This head always projects by the word embeddings.
        decoder: model.weight(words.name, [vocab, hidden]),
        bias: model.weight('lm_predictions.lm_head.bias', [vocab]),
      };

  const inputs = declareMaskedLmInputs(builder, { tokenTypes: typeVocab > 0 });
  // [batch, sequence, 1]: zeroes the padded positions' states, as transformers does (the convolution reads them).
  const positionMask = builder.op('/mask', 'Cast', [builder.op('/mask', 'Unsqueeze', [inputs.attentionMask, builder.int64Constant([2])])], {
    to: ElementType.float,
  });
  const embedded = embed(builder, {
    inputIds: inputs.inputIds,
    tokenTypeIds: inputs.tokenTypeIds,
    words,
    positions,
    tokenTypes,
    projection: embeddingProjection,
    norm: embeddingNorm,
    layerNormEps: shape.layerNormEps,
    positionMask,
  });
  const relativeAttention: RelativeAttention | undefined = relative && {
    embeddings: relative.norm
      ? layerNorm(
          builder,
          '/encoder/rel_embeddings/LayerNorm',
          weightInitializer(builder, relative.embeddings),
          relative.norm,
          shape.layerNormEps,
        )
      : weightInitializer(builder, relative.embeddings),
    tables: relative.tables,
    contentToPosition: attentionTypes.contentToPosition,
    positionToContent: attentionTypes.positionToContent,
  };
  const attend = disentangledAttention(builder, {
    additiveMask: additiveAttentionMask(builder, inputs.attentionMask),
    shape: attention,
    scaleFactor: 1 + Number(attentionTypes.contentToPosition) + Number(attentionTypes.positionToContent),
    relative: relativeAttention,
    projections: (weights) => projections.get(weights) ?? {},
    inputIds: inputs.inputIds,
  });
  let hiddenStates = embedded;
  encoder.forEach((layer, index) => {
    hiddenStates = encoderLayer(builder, `/encoder/layer.${index}`, hiddenStates, attend, layer, shape);
    if (index === 0 && convolution) hiddenStates = convolve(builder, embedded, hiddenStates, positionMask, convolution);
  });
  maskedLmHead(builder, hiddenStates, head, shape.layerNormEps);
  declareLogitsOutput(builder, vocab);
}

/** `pos_att_type`: a list, or a `|`-separated string (older configs), of `c2p` and `p2c`. */
function readAttentionTypes(model: ModelDescription): { contentToPosition: boolean; positionToContent: boolean } {
  const value = model.config.pos_att_type ?? [];
  const types =
    typeof value === 'string'
      ? value
          .toLowerCase()
          .split('|')
          .map((type) => type.trim())
      : value;
  if (!Array.isArray(types) || !types.every((type) => typeof type === 'string'))
    throw model.unsupported(`config.json's pos_att_type is ${JSON.stringify(value)}, not a list of c2p and p2c.`);
  const unknown = types.filter((type) => type !== 'c2p' && type !== 'p2c');
  if (unknown.length > 0) throw model.unsupported(`config.json's pos_att_type holds ${unknown.join(', ')}; only c2p and p2c can be built.`);
  return { contentToPosition: types.includes('c2p'), positionToContent: types.includes('p2c') };
}

interface RelativeWeights {
  readonly embeddings: WeightTensor;
  readonly norm?: NormWeights;
  readonly shareKeys: boolean;
  readonly tables: ReturnType<typeof relativePositionTables>;
}

function readRelativeAttention(model: ModelDescription, base: string, hidden: number, maxPositions: number): RelativeWeights | undefined {
  if (!model.boolean('relative_attention', false)) return undefined;
  const buckets = signedInteger(model, 'position_buckets', -1);
  const configured = signedInteger(model, 'max_relative_positions', -1);
  const maxRelativePositions = configured < 1 ? maxPositions : configured;
  const span = buckets > 0 ? buckets : maxRelativePositions;
  const normalizations = model
    .string('norm_rel_ebd', 'none')
    .toLowerCase()
    .split('|')
    .map((item) => item.trim());
  return {
    embeddings: model.weight(`${base}encoder.rel_embeddings.weight`, [2 * span, hidden]),
    norm: normalizations.includes('layer_norm') ? readNorm(model, `${base}encoder.LayerNorm`, hidden) : undefined,
    shareKeys: model.boolean('share_att_key', false),
    tables: relativePositionTables({ buckets, maxRelativePositions, span }, maxPositions),
  };
}

function signedInteger(model: ModelDescription, field: string, fallback: number): number {
  const value = model.number(field, fallback);
  if (!Number.isInteger(value)) throw model.unsupported(`config.json's ${field} is ${value}, not an integer.`);
  return value;
}

interface EmbeddingParts {
  readonly inputIds: string;
  readonly tokenTypeIds?: string;
  readonly words: WeightTensor;
  readonly positions?: WeightTensor;
  readonly tokenTypes?: WeightTensor;
  readonly projection?: ReturnType<typeof readLinear>;
  readonly norm: NormWeights;
  readonly layerNormEps: number;
  readonly positionMask: string;
}

/** `LayerNorm(proj(words + positions + token types)) · mask`, in `DebertaV2Embeddings`' order. */
function embed(builder: GraphBuilder, parts: EmbeddingParts): string {
  const scope = '/embeddings';
  let sum = builder.op(`${scope}/word_embeddings`, 'Gather', [weightInitializer(builder, parts.words), parts.inputIds]);
  if (parts.positions)
    sum = builder.op(scope, 'Add', [
      sum,
      firstRows(builder, `${scope}/position_embeddings`, weightInitializer(builder, parts.positions), parts.inputIds),
    ]);
  if (parts.tokenTypes && parts.tokenTypeIds) {
    sum = builder.op(scope, 'Add', [
      sum,
      builder.op(`${scope}/token_type_embeddings`, 'Gather', [weightInitializer(builder, parts.tokenTypes), parts.tokenTypeIds]),
    ]);
  }
  if (parts.projection) sum = linear(builder, `${scope}/embed_proj`, sum, parts.projection);
  return builder.op(scope, 'Mul', [layerNorm(builder, `${scope}/LayerNorm`, sum, parts.norm, parts.layerNormEps), parts.positionMask]);
}

interface ConvolutionWeights {
  readonly weight: WeightTensor;
  readonly bias: WeightTensor;
  readonly groups: number;
  readonly kernel: number;
  readonly activation: Activation;
  readonly norm: NormWeights;
  readonly layerNormEps: number;
}

function readConvolution(model: ModelDescription, base: string, hidden: number, layerNormEps: number): ConvolutionWeights | undefined {
  const kernel = model.integer('conv_kernel_size', 0);
  if (kernel === 0) return undefined;
  const groups = model.integer('conv_groups', 1);
  if (groups === 0 || hidden % groups !== 0)
    throw model.unsupported(`the hidden size ${hidden} is not a multiple of conv_groups ${groups}.`);
  if (kernel % 2 === 0)
    throw model.unsupported(`config.json's conv_kernel_size ${kernel} is even; only odd kernels keep the sequence length.`);
  return {
    weight: model.weight(`${base}encoder.conv.conv.weight`, [hidden, hidden / groups, kernel]),
    bias: model.weight(`${base}encoder.conv.conv.bias`, [hidden]),
    groups,
    kernel,
    activation: readActivation(model, 'conv_act', 'tanh'),
    norm: readNorm(model, `${base}encoder.conv.LayerNorm`, hidden),
    layerNormEps,
  };
}

/** `ConvLayer`: `LayerNorm(residual + act(conv(embedded) · mask)) · mask`, the convolution along the sequence. */
function convolve(
  builder: GraphBuilder,
  embedded: string,
  residual: string,
  positionMask: string,
  convolution: ConvolutionWeights,
): string {
  const scope = '/encoder/conv';
  const channelsFirst = builder.op(scope, 'Transpose', [embedded], { perm: [0, 2, 1] });
  const padding = (convolution.kernel - 1) / 2;
  const convolved = builder.op(
    scope,
    'Conv',
    [channelsFirst, weightInitializer(builder, convolution.weight), weightInitializer(builder, convolution.bias)],
    {
      group: convolution.groups,
      kernel_shape: [convolution.kernel],
      pads: [padding, padding],
    },
  );
  const masked = builder.op(scope, 'Mul', [builder.op(scope, 'Transpose', [convolved], { perm: [0, 2, 1] }), positionMask]);
  const sum = builder.op(scope, 'Add', [residual, activate(builder, `${scope}/activation`, masked, convolution.activation)]);
  return builder.op(scope, 'Mul', [
    layerNorm(builder, `${scope}/LayerNorm`, sum, convolution.norm, convolution.layerNormEps),
    positionMask,
  ]);
}
