import { activate, readActivation, type Activation } from './activation.js';
import { additiveAttentionMask, float32Lowest } from './attention-mask.js';
import { attendWithScores, attentionShape, projectHeads, type AttentionShape } from './attention.js';
import type { GraphBuilder } from './graph-builder.js';
import { weightRows } from './initializer-values.js';
import { layerNorm, readNorm, type NormWeights } from './layer-norm.js';
import { linear, readLinear, type LinearWeights } from './linear.js';
import { maskedLmHead } from './masked-lm-head.js';
import { declareLogitsOutput, declareMaskedLmInputs } from './masked-lm-io.js';
import type { ModelDescription } from './model-description.js';
import { rotate, rotaryPositions, type RotaryPositions } from './rotary-embedding.js';
import { positionDistances } from './sequence-positions.js';
import { weightInitializer } from './weight-initializers.js';

type LayerType = 'full_attention' | 'sliding_attention';

interface ModernBertLayer {
  readonly type: LayerType;
  /** Absent in layer 0, whose attention reads the embeddings' normalized output as it is. */
  readonly attentionNorm?: NormWeights;
  readonly query: LinearWeights;
  readonly key: LinearWeights;
  readonly value: LinearWeights;
  readonly attentionOutput: LinearWeights;
  readonly mlpNorm: NormWeights;
  /** The two halves of `Wi`: `act(input) · gate`. */
  readonly mlpInput: LinearWeights;
  readonly mlpGate: LinearWeights;
  readonly mlpOutput: LinearWeights;
}

/**
 * ModernBERT (`ModernBertForMaskedLM`: `model.*`, `head.*`, `decoder`): pre-norm layers with rotary
 * positions (one base for global layers, another for sliding-window ones), attention over the whole
 * sequence or a window of `local_attention / 2` tokens either side, a gated MLP (`Wi` split in two),
 * LayerNorms and projections without biases unless config.json asks for them, and a final norm.
 * Layer types come from `layer_types`, or from `global_attn_every_n_layers` in older configs; rope
 * bases from `rope_parameters`, or `global_rope_theta` / `local_rope_theta`.
 */
export function buildModernBertGraph(model: ModelDescription, builder: GraphBuilder): void {
  const vocab = model.integer('vocab_size');
  const hidden = model.integer('hidden_size');
  const intermediate = model.integer('intermediate_size');
  const layers = model.integer('num_hidden_layers');
  const attention = attentionShape(model, hidden);
  if (attention.headSize % 2 !== 0)
    throw model.unsupported(`the head size ${attention.headSize} is odd; rotary positions need an even one.`);
  const activation = readActivation(model, 'hidden_activation', 'gelu');
  const layerNormEps = model.number('norm_eps', 1e-5);
  const normBias = model.boolean('norm_bias', false);
  const attentionBias = model.boolean('attention_bias', false);
  const mlpBias = model.boolean('mlp_bias', false);
  const maxPositions = model.integer('max_position_embeddings', 8192);
  const window = Math.floor(model.integer('local_attention', 128) / 2);
  const layerTypes = readLayerTypes(model, layers);
  const thetas = readRopeThetas(model);
  const base = model.prefixOf(['model.', ''], 'embeddings.tok_embeddings.weight');

  const words = model.weight(`${base}embeddings.tok_embeddings.weight`, [vocab, hidden]);
  const embeddingNorm = readNorm(model, `${base}embeddings.norm`, hidden, { bias: normBias });
  const encoder = layerTypes.map((type, index) =>
    readLayer(model, `${base}layers.${index}`, index, type, { hidden, intermediate, normBias, attentionBias, mlpBias }),
  );
  const finalNorm = readNorm(model, `${base}final_norm`, hidden, { bias: normBias });
  const head = {
    dense: readLinear(model, 'head.dense', hidden, hidden, { bias: model.boolean('classifier_bias', false) }),
    activation: readActivation(model, 'classifier_activation', 'gelu'),
    norm: readNorm(model, 'head.norm', hidden, { bias: normBias }),
    decoder: model.tiedWeight('decoder.weight', words.name, [vocab, hidden]),
    bias: model.boolean('decoder_bias', true) ? model.weight('decoder.bias', [vocab]) : undefined,
  };

  const inputs = declareMaskedLmInputs(builder, { tokenTypes: false });
  const fullMask = additiveAttentionMask(builder, inputs.attentionMask);
  const masks: Record<LayerType, string> = { full_attention: fullMask, sliding_attention: fullMask };
  const rotations: Partial<Record<LayerType, RotaryPositions>> = {};
  for (const type of new Set(layerTypes)) {
    rotations[type] = rotaryPositions(
      builder,
      inputs.inputIds,
      type === 'full_attention' ? thetas.full : thetas.sliding,
      attention.headSize,
      maxPositions,
    );
    if (type === 'sliding_attention')
      masks[type] = slidingWindowMask(builder, fullMask, positionDistances(builder, inputs.inputIds, maxPositions), window);
  }
  let hiddenStates = layerNorm(
    builder,
    '/embeddings/norm',
    builder.op('/embeddings/tok_embeddings', 'Gather', [weightInitializer(builder, words), inputs.inputIds]),
    embeddingNorm,
    layerNormEps,
  );
  encoder.forEach((layer, index) => {
    const scope = `/layers.${index}`;
    const attentionInput = layer.attentionNorm
      ? layerNorm(builder, `${scope}/attn_norm`, hiddenStates, layer.attentionNorm, layerNormEps)
      : hiddenStates;
    const context = rotaryAttention(builder, `${scope}/attn`, attentionInput, layer, attention, rotations[layer.type]!, masks[layer.type]);
    hiddenStates = builder.op(scope, 'Add', [hiddenStates, linear(builder, `${scope}/attn/Wo`, context, layer.attentionOutput)]);
    const mlpInput = layerNorm(builder, `${scope}/mlp_norm`, hiddenStates, layer.mlpNorm, layerNormEps);
    hiddenStates = builder.op(scope, 'Add', [hiddenStates, gatedMlp(builder, `${scope}/mlp`, mlpInput, layer, activation)]);
  });
  hiddenStates = layerNorm(builder, '/final_norm', hiddenStates, finalNorm, layerNormEps);
  maskedLmHead(builder, hiddenStates, head, layerNormEps);
  declareLogitsOutput(builder, vocab);
}

function readLayer(
  model: ModelDescription,
  layer: string,
  index: number,
  type: LayerType,
  sizes: { hidden: number; intermediate: number; normBias: boolean; attentionBias: boolean; mlpBias: boolean },
): ModernBertLayer {
  const { hidden, intermediate } = sizes;
  // Wqkv stacks the query, key and value projections; Wi the MLP's input and gate: each part is read as a Linear of its own.
  const fused = readLinear(model, `${layer}.attn.Wqkv`, hidden, 3 * hidden, { bias: sizes.attentionBias });
  const wide = readLinear(model, `${layer}.mlp.Wi`, hidden, 2 * intermediate, { bias: sizes.mlpBias });
  return {
    type,
    attentionNorm: index === 0 ? undefined : readNorm(model, `${layer}.attn_norm`, hidden, { bias: sizes.normBias }),
    query: linearRows(fused, 0, hidden, 'query'),
    key: linearRows(fused, hidden, hidden, 'key'),
    value: linearRows(fused, 2 * hidden, hidden, 'value'),
    attentionOutput: readLinear(model, `${layer}.attn.Wo`, hidden, hidden, { bias: sizes.attentionBias }),
    mlpNorm: readNorm(model, `${layer}.mlp_norm`, hidden, { bias: sizes.normBias }),
    mlpInput: linearRows(wide, 0, intermediate, 'input'),
    mlpGate: linearRows(wide, intermediate, intermediate, 'gate'),
    mlpOutput: readLinear(model, `${layer}.mlp.Wo`, intermediate, hidden, { bias: sizes.mlpBias }),
  };
}

/** Output features `[start, start + count)` of a Linear, as a Linear of their own (views of its weights). */
function linearRows(layer: LinearWeights, start: number, count: number, part: string): LinearWeights {
  const weight = weightRows(layer.weight, start, count, `${layer.weight.name}/${part}`);
  return layer.bias ? { weight, bias: weightRows(layer.bias, start, count, `${layer.bias.name}/${part}`) } : { weight };
}

/** Attention with queries and keys rotated by position, scaled by 1/√headSize. */
function rotaryAttention(
  builder: GraphBuilder,
  scope: string,
  hidden: string,
  layer: ModernBertLayer,
  shape: AttentionShape,
  rotary: RotaryPositions,
  mask: string,
): string {
  const query = rotate(
    builder,
    `${scope}/query`,
    projectHeads(builder, `${scope}/query`, hidden, layer.query, shape),
    rotary,
    shape.headSize,
  );
  const key = rotate(builder, `${scope}/key`, projectHeads(builder, `${scope}/key`, hidden, layer.key, shape), rotary, shape.headSize);
  const value = projectHeads(builder, `${scope}/value`, hidden, layer.value, shape);
  const keysTransposed = builder.op(scope, 'Transpose', [key], { perm: [0, 1, 3, 2] });
  const scores = builder.op(scope, 'Mul', [
    builder.op(scope, 'MatMul', [query, keysTransposed]),
    builder.floatConstant([shape.headSize ** -0.5]),
  ]);
  return attendWithScores(builder, scope, scores, mask, value, shape);
}

/** `Wo(act(input) · gate)`. */
function gatedMlp(builder: GraphBuilder, scope: string, hidden: string, layer: ModernBertLayer, activation: Activation): string {
  const input = activate(builder, `${scope}/act`, linear(builder, `${scope}/Wi_input`, hidden, layer.mlpInput), activation);
  const gated = builder.op(scope, 'Mul', [input, linear(builder, `${scope}/Wi_gate`, hidden, layer.mlpGate)]);
  return linear(builder, `${scope}/Wo`, gated, layer.mlpOutput);
}

/**
 * `[batch, 1, sequence, sequence]`: the padding mask where `|query - key| ≤ window`, the lowest
 * float elsewhere (never a sum of two lowest values, which would be -∞ and make NaNs of padded rows).
 */
function slidingWindowMask(builder: GraphBuilder, additiveMask: string, distances: string, window: number): string {
  const scope = '/sliding_window_mask';
  const inWindow = builder.op(scope, 'LessOrEqual', [builder.op(scope, 'Abs', [distances]), builder.int64Constant([window], [])]);
  return builder.op(scope, 'Where', [inWindow, additiveMask, builder.floatConstant([float32Lowest])]);
}

function readLayerTypes(model: ModelDescription, layers: number): LayerType[] {
  const configured = model.config.layer_types;
  if (configured !== undefined && configured !== null) {
    const valid =
      Array.isArray(configured) &&
      configured.length === layers &&
      configured.every((type) => type === 'full_attention' || type === 'sliding_attention');
    if (!valid)
      throw model.unsupported(
        `config.json's layer_types is ${JSON.stringify(configured)}, not ${layers} of full_attention and sliding_attention.`,
      );
    return configured as LayerType[];
  }
  const every = model.integer('global_attn_every_n_layers', 3);
  if (every === 0) throw model.unsupported("config.json's global_attn_every_n_layers is 0.");
  return Array.from({ length: layers }, (_, index) => (index % every === 0 ? 'full_attention' : 'sliding_attention'));
}

/** The rope base of each layer type: `rope_parameters` (default rope only), else `global_rope_theta` / `local_rope_theta`. */
function readRopeThetas(model: ModelDescription): { full: number; sliding: number } {
  const scaling = model.config.rope_scaling;
  if (scaling !== undefined && scaling !== null)
    throw model.unsupported(`config.json's rope_scaling ${JSON.stringify(scaling)} cannot be built; only the default rope can.`);
  const parameters = model.config.rope_parameters as
    | Partial<Record<LayerType, { rope_type?: unknown; rope_theta?: unknown }>>
    | undefined
    | null;
  const theta = (type: LayerType, legacyField: string, fallback: number): number => {
    const entry = parameters?.[type];
    if (entry && entry.rope_type !== undefined && entry.rope_type !== 'default')
      throw model.unsupported(
        `config.json's rope_parameters.${type}.rope_type is ${JSON.stringify(entry.rope_type)}; only the default rope can be built.`,
      );
    const value = entry?.rope_theta ?? model.config[legacyField] ?? fallback;
    if (typeof value !== 'number' || !(value > 0))
      throw model.unsupported(`the rope base of ${type} layers is ${JSON.stringify(value)}, not a positive number.`);
    return value;
  };
  return { full: theta('full_attention', 'global_rope_theta', 160_000), sliding: theta('sliding_attention', 'local_rope_theta', 10_000) };
}
