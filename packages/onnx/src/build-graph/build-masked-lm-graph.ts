import { inferModelType } from './infer-model-type.js';
import { UnsupportedModelError, type ModelConfig } from '@fillmask/core';
import type { ModelWeights } from '../weights/model-weights.js';
import { buildAlbertGraph } from './albert-graph.js';
import { buildBertGraph } from './bert-graph.js';
import { buildDebertaV2Graph } from './deberta-v2-graph.js';
import { buildDistilBertGraph } from './distilbert-graph.js';
import { buildElectraGraph } from './electra-graph.js';
import { GraphBuilder } from './graph-builder.js';
import { ModelDescription } from './model-description.js';
import { buildModernBertGraph } from './modernbert-graph.js';
import { quantizeMaskedLmGraph } from './quantize-masked-lm-graph.js';
import { buildRobertaGraph } from './roberta-graph.js';

export interface BuildMaskedLmGraphOptions {
  /** Names the model in error messages (a Hub id or a folder). Default: config.json's `_name_or_path`, else its model_type. */
  readonly model?: string;
  /**
   * The graph's weights: `'fp32'` (the default), or `'q8'`, the fp32 graph quantized as
   * transformers.js' q8 conversion quantizes an export (`quantizeMaskedLmGraph`: int8 weight
   * products, uint8 embedding tables, about a quarter of the size), so it scores as a Hub
   * repository's `onnx/model_quantized.onnx` would.
   */
  readonly dtype?: MaskedLmGraphDtype;
}

/** The weight types `buildMaskedLmGraph` builds, named as transformers.js names its `dtype`s. */
export type MaskedLmGraphDtype = 'fp32' | 'q8';

const buildableDtypes: readonly string[] = ['fp32', 'q8'] satisfies MaskedLmGraphDtype[];

/** Protobuf messages, ONNX models among them, hold at most 2 GiB - 1 bytes. */
const largestProtobuf = 2 ** 31 - 1;

type FamilyBuilder = (model: ModelDescription, builder: GraphBuilder) => void;

/** The builder of each `model_type`, in the order they are documented. */
const familyBuilders: Readonly<Record<string, FamilyBuilder>> = {
  bert: buildBertGraph,
  roberta: buildRobertaGraph,
  'xlm-roberta': buildRobertaGraph,
  camembert: buildRobertaGraph,
  distilbert: buildDistilBertGraph,
  albert: buildAlbertGraph,
  electra: buildElectraGraph,
  'deberta-v2': buildDebertaV2Graph,
  modernbert: buildModernBertGraph,
};

/** The `model_type`s of config.json whose masked-LM graph `buildMaskedLmGraph` builds. */
export const supportedModelTypes: readonly string[] = Object.keys(familyBuilders);

/**
 * The masked-LM ONNX graph of a checkpoint, built from its config.json and weights, with the
 * interface of an Optimum export: int64 inputs `input_ids`, `attention_mask` (and `token_type_ids`
 * for BERT, ALBERT and ELECTRA), `[batch_size, sequence_length]`, and the float32 output `logits`,
 * `[batch_size, sequence_length, vocab]`. So `prepareFillMaskGraphs` and the session model take it
 * as they take an export. The graph is fp32 (F16 and BF16 weights are widened), opset 17, standard
 * ops only, so onnxruntime-node and onnxruntime-web (WASM, WebGPU) run it. Its initializers are the
 * only copy of the weights it makes; with `dtype: 'q8'` they are quantized (`quantizeMaskedLmGraph`).
 * Throws `UnsupportedModelError` for a model_type or dtype it cannot build, or a config field or
 * weight that is missing or malformed.
 */
export function buildMaskedLmGraph(config: ModelConfig, weights: ModelWeights, options: BuildMaskedLmGraphOptions = {}): Uint8Array {
  const modelType = inferModelType(config);
  const model =
    options.model ??
    (typeof config._name_or_path === 'string' && config._name_or_path !== '' ? config._name_or_path : String(modelType ?? 'the model'));
  if (typeof modelType !== 'string') {
    throw new UnsupportedModelError({
      model,
      reason: `config.json has no model_type (and its architectures name no known one), so its graph cannot be built; the model types that can be built are ${supportedModelTypes.join(', ')}.`,
    });
  }
  const dtype = options.dtype ?? 'fp32';
  if (!buildableDtypes.includes(dtype)) {
    throw new UnsupportedModelError({
      model,
      reason: `its graph cannot be built with dtype ${JSON.stringify(dtype)}; the dtypes that can be built are ${buildableDtypes.join(', ')}.`,
    });
  }
  const build = Object.hasOwn(familyBuilders, modelType) ? familyBuilders[modelType] : undefined;
  if (!build) {
    throw new UnsupportedModelError({
      model,
      reason: `its graph cannot be built from model_type ${JSON.stringify(modelType)}; the model types that can be built are ${supportedModelTypes.join(', ')}. An ONNX export of the model (onnx/model.onnx, as Optimum writes it) loads whatever its type.`,
    });
  }
  const builder = new GraphBuilder();
  build(new ModelDescription(config, weights, model, modelType), builder);
  const byteLength = builder.encodedByteLength();
  if (byteLength > largestProtobuf) {
    throw new UnsupportedModelError({
      model,
      reason: `its graph would take ${(byteLength / 2 ** 30).toFixed(1)} GiB, more than the 2 GiB a protobuf can hold (the graph keeps its fp32 weights inside).`,
    });
  }
  // The fp32 graph is the quantizer's only input: it lives until the int8 graph is written.
  return dtype === 'q8' ? quantizeMaskedLmGraph(builder.encodeModel()) : builder.encodeModel();
}

/**
 * Changes whenever the graphs built from the same weights change, so that graphs kept on disk from
 * an earlier version are built again.
 */
export const graphBuilderVersion = 1;
