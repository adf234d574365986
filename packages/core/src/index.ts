export { createFillMask } from './fill-mask/create-fill-mask.js';
export type { FillMask, FillSettledResult } from './fill-mask/fill-mask.js';
export type { PassCounters } from './batching/shared-passes.js';
export type { FillMaskConfig } from './fill-mask/fill-mask-config.js';
export type { FillOptions, FillProgress } from './fill-mask/fill-options.js';
export type { Prediction, MaskPredictions } from './fill-mask/prediction.js';
export type { FillMaskWarning, FillMaskWarningHandler } from './fill-mask/fill-mask-warning.js';
export { toPipelineOutput } from './fill-mask/to-pipeline-output.js';
export { commonMaskAliases, maskAliasReplacer } from './fill-mask/mask-aliases.js';

export type {
  FillMaskBackendV1,
  ModelBackendV1,
  ServiceBackendV1,
  ConnectServiceRequestV1,
  ServiceModelV1,
  ServiceFillRequestV1,
  BackendModelV1,
  LoadModelRequestV1,
  TokenBatchV1,
  PositionLogitsV1,
  ModelDtype,
  ModelFormat,
} from './backend/fill-mask-backend-v1.js';
export { chooseModelFile, modelDtypes, modelFileForDtype, weightFiles } from './model/choose-model-file.js';
export type { ChosenModelFile } from './model/choose-model-file.js';
export type { ModelConfig } from './model/model-config.js';

export type { FillMaskTokenizer, EncodedText } from './tokenizer/fill-mask-tokenizer.js';
export { loadTokenizer } from './tokenizer/load-tokenizer.js';

import { openModel as platformOpenModel } from '#platform/open-model';
import type { OpenModel } from './model-source/open-model.js';
/**
 * Opens a model by name: in Node a local folder or a Hub model id (downloaded into the Hub cache); in
 * browsers a folder URL or a Hub model id (kept in the Cache API).
 */
export const openModel: OpenModel = platformOpenModel;
export type { ModelFiles } from './model-source/model-files.js';
export { describeNetworkError } from './model-source/describe-network-error.js';
export { isModelFilePath } from './model-source/is-model-file-path.js';
export type { HubRetryOptions, ModelSourceOptions, ModelSourceWarning } from './model-source/model-source-options.js';
export type { DownloadProgress, DownloadProgressCallback } from './model-source/download-progress.js';

export * from './scoring/index.js';

export * from './errors/index.js';
