import type { FillMaskBackendV1, ModelDtype } from '../backend/fill-mask-backend-v1.js';
import type { ModelFiles } from '../model-source/model-files.js';
import type { ModelSourceOptions } from '../model-source/model-source-options.js';
import type { FillMaskTokenizer } from '../tokenizer/fill-mask-tokenizer.js';
import type { FillMaskWarningHandler } from './fill-mask-warning.js';
import type { FillOptions } from './fill-options.js';

/** Everything `createFillMask` needs. Only `model` is required. */
export interface FillMaskConfig extends ModelSourceOptions, Pick<FillOptions, 'topK' | 'targets' | 'truncation'> {
  /** A Hub model id (`Xenova/bert-base-uncased`), a local folder in the Hub layout, or ModelFiles. */
  readonly model: string | ModelFiles;
  /**
   * The backend: a name (`'onnx'`, the default) whose package is loaded on first use, or a backend
   * instance such as `createOnnxBackend({...})`. Switching backends changes only this line.
   */
  readonly backend?: string | FillMaskBackendV1;
  /** Options for a backend given by name, passed to its package's `createBackend`. */
  readonly backendOptions?: Record<string, unknown>;
  /** `fp32` (default, `onnx/model.onnx`) or `q8` (`onnx/model_quantized.onnx`). */
  readonly dtype?: ModelDtype;
  /**
   * Most inputs in one forward pass when filling many inputs. Default 32. A q8 graph as exported quantizes
   * activations with one scale per tensor, so batched inputs would shift each other's scores; the
   * onnx and web backends batch q8 inputs through a variant of the graph that quantizes each input on
   * its own, which gives every input its answers alone (bit for bit in onnxruntime-node on x64,
   * within float rounding in WebAssembly, as for fp32). A backend that cannot (the model's
   * graph is of another shape; the debug log says why) gets a default of 1 for q8.
   */
  readonly batchSize?: number;
  /**
   * Most padded tokens in one forward pass (rows × the batch's longest row). Inputs are sorted by
   * length and cut into passes within this budget and `batchSize`, so short inputs share a pass
   * and long ones run a few at a time, with little padding at any length. Default: the backend's
   * choice for the machine (onnx and web: 128 per thread, at least 256), else 512; an input longer
   * than the budget runs alone. Answers do not depend on it.
   */
  readonly maxBatchTokens?: number;
  /** Replaces the tokenizer read from the model's files. */
  readonly tokenizer?: FillMaskTokenizer;
  /**
   * Other spellings of the mask to accept, each rewritten to the model's own mask token before the
   * text is tokenized. Default: none, only the model's token (`fillMask.maskToken`) is a mask, and
   * `<mask>` in a text for a BERT model is text. `maskAliases: commonMaskAliases` (`['[MASK]',
   * '<mask>']`) lets one text work with every model, as the `fillmask` CLI and server do. The rewrite
   * gives exactly what the model's token would: RoBERTa's `<mask>` absorbs the space before it, so
   * `the [MASK]` encodes as `the <mask>` does.
   */
  readonly maskAliases?: readonly string[];
  /**
   * Receives warnings (a target replaced by its first sub-token, a target ignored). Default: each is
   * printed with `console.warn` as `[fillmask] <message>`. Pass `() => {}` to silence them, or a
   * function of your own to route them to your logger; the warning's `code` and `target` say what
   * happened without parsing the message.
   */
  readonly onWarning?: FillMaskWarningHandler;
}
