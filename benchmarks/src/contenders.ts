import { basename, dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { createFillMask, loadTokenizer, openModel, type FillMaskTokenizer, type ModelDtype } from '@fillmask/core';
import { createOnnxBackend, defaultSessionOptions, type OnnxBackendOptions } from '@fillmask/backend-onnx';

export type ContenderName =
  | 'fillmask'
  | 'transformers.js'
  | 'onnxruntime'
  | 'transformers.js-same-settings'
  | 'onnxruntime-same-settings'
  | SettingContenderName;

/**
 * fillmask with one of its onnx backend's settings other than the default, measured only when the
 * run asks: `--convolutions` for `pointwiseConvolutions` (default `true`), `--spinning` for
 * intra-op threads that stop spinning when a run returns (`session.force_spinning_stop: '1'`; by
 * default they spin on for about 40 ms, as onnxruntime's do), `--u8u8` for onnxruntime's exact u8×u8
 * int8 kernel (`session.x64quantprecision: '1'`), which the defaults take only where the fast
 * kernel saturates: elsewhere it shows what the setting would cost.
 */
export type SettingContenderName =
  | 'fillmask-convolutions-off'
  | 'fillmask-convolutions-everywhere'
  | 'fillmask-spinning-stopped'
  | 'fillmask-u8u8';

export interface SettingContender {
  /** The run's flag that adds it. */
  readonly flag: 'convolutions' | 'spinning' | 'u8u8';
  /** The setting, as a reader would write it. */
  readonly label: string;
  readonly options: Pick<OnnxBackendOptions, 'pointwiseConvolutions' | 'sessionOptions'>;
  /** The dtypes where the setting changes anything; default: all. */
  readonly dtypes?: readonly ModelDtype[];
}

export const settingContenders: Record<SettingContenderName, SettingContender> = {
  'fillmask-convolutions-off': { flag: 'convolutions', label: 'pointwiseConvolutions: false', options: { pointwiseConvolutions: false } },
  'fillmask-convolutions-everywhere': {
    flag: 'convolutions',
    label: "pointwiseConvolutions: 'everywhere'",
    options: { pointwiseConvolutions: 'everywhere' },
  },
  'fillmask-spinning-stopped': {
    flag: 'spinning',
    label: "force_spinning_stop: '1'",
    options: { sessionOptions: { extra: { session: { force_spinning_stop: '1' } } } },
  },
  'fillmask-u8u8': {
    flag: 'u8u8',
    label: "x64quantprecision: '1'",
    options: { sessionOptions: { extra: { session: { x64quantprecision: '1' } } } },
    // It sets the int8 kernel only.
    dtypes: ['q8'],
  },
};

/**
 * fillmask's session settings beyond the thread count (@fillmask/backend-onnx's defaults): spinning
 * intra-op threads (onnxruntime's default) and, on x64 CPUs without VNNI, onnxruntime's exact u8×u8 int8 kernel. The
 * `-same-settings` contenders give the peer and the bare run the same, to show how much of a ratio
 * comes from them.
 */
const fillmaskSessionExtra = defaultSessionOptions().extra;

/** One library under test, doing the benchmark's two workloads. */
export interface Contender {
  readonly name: ContenderName;
  /** One sentence, end to end (for onnxruntime: only `session.run` on pre-tokenized ids). */
  fillOne(text: string): Promise<unknown>;
  /** Every sentence, in batches of 32 (fillmask batches them itself). */
  fillAll(texts: readonly string[]): Promise<unknown>;
  dispose(): Promise<void>;
}

export interface ContenderSetup {
  readonly folder: string;
  readonly dtype: ModelDtype;
  readonly threads: number;
  readonly topK: number;
}

export const peerBatchSize = 32;

export async function createContender(name: ContenderName, setup: ContenderSetup): Promise<Contender> {
  switch (name) {
    case 'fillmask':
      return fillmaskContender(setup, 'fillmask');
    case 'fillmask-convolutions-off':
    case 'fillmask-convolutions-everywhere':
    case 'fillmask-spinning-stopped':
    case 'fillmask-u8u8':
      return fillmaskContender(setup, name, settingContenders[name].options);
    case 'transformers.js':
    case 'transformers.js-same-settings':
      return transformersContender(setup, name);
    case 'onnxruntime':
    case 'onnxruntime-same-settings':
      return onnxruntimeContender(setup, name);
  }
}

/** fillmask with its defaults but the thread count: it batches (32 inputs, q8 included) and buckets by length itself. */
async function fillmaskContender(
  { folder, dtype, threads, topK }: ContenderSetup,
  name: ContenderName,
  setting: SettingContender['options'] = {},
): Promise<Contender> {
  const fillMask = await createFillMask({
    model: folder,
    dtype,
    topK,
    backend: createOnnxBackend({ ...setting, sessionOptions: { ...setting.sessionOptions, intraOpNumThreads: threads } }),
    onWarning: () => undefined,
  });
  return {
    name,
    fillOne: (text) => fillMask.fill(text),
    fillAll: (texts) => fillMask.fill(texts),
    dispose: () => fillMask.dispose(),
  };
}

async function transformersContender({ folder, dtype, threads, topK }: ContenderSetup, name: ContenderName): Promise<Contender> {
  const { pipeline, env } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${dirname(folder)}/`;
  const sessionOptions = { intraOpNumThreads: threads, ...(name.endsWith('-same-settings') ? { extra: fillmaskSessionExtra } : {}) };
  const fillMask = await pipeline('fill-mask', basename(folder), { dtype, device: 'cpu', session_options: sessionOptions });
  return {
    name,
    fillOne: (text) => fillMask(text, { top_k: topK }),
    async fillAll(texts) {
      for (let start = 0; start < texts.length; start += peerBatchSize)
        await fillMask(texts.slice(start, start + peerBatchSize), { top_k: topK });
    },
    dispose: () => fillMask.dispose(),
  };
}

/** The floor: the unmodified graph run directly on ids tokenized beforehand, no post-processing. */
async function onnxruntimeContender({ folder, dtype, threads }: ContenderSetup, name: ContenderName): Promise<Contender> {
  const files = await openModel(folder);
  const tokenizer = await loadTokenizer(files, JSON.parse(new TextDecoder().decode(await files.read('config.json'))));
  const session = await ort.InferenceSession.create(join(folder, 'onnx', dtype === 'q8' ? 'model_quantized.onnx' : 'model.onnx'), {
    intraOpNumThreads: threads,
    graphOptimizationLevel: 'all',
    ...(name.endsWith('-same-settings') ? { extra: fillmaskSessionExtra } : {}),
  });
  const feedsCache = new Map<string, Record<string, ort.Tensor>>();
  const feedsFor = (texts: readonly string[]) => {
    const key = texts.join('\u0000');
    let feeds = feedsCache.get(key);
    if (!feeds) {
      feeds = paddedFeeds(texts, tokenizer, session.inputNames);
      feedsCache.set(key, feeds);
    }
    return feeds;
  };
  return {
    name,
    fillOne: (text) => session.run(feedsFor([text])),
    async fillAll(texts) {
      for (let start = 0; start < texts.length; start += peerBatchSize)
        await session.run(feedsFor(texts.slice(start, start + peerBatchSize)));
    },
    dispose: () => session.release(),
  };
}

function paddedFeeds(texts: readonly string[], tokenizer: FillMaskTokenizer, inputNames: readonly string[]): Record<string, ort.Tensor> {
  const encoded = texts.map((text) => tokenizer.encode(text).ids);
  const length = Math.max(...encoded.map((ids) => ids.length));
  const ids = new BigInt64Array(texts.length * length).fill(BigInt(tokenizer.padTokenId));
  const mask = new BigInt64Array(texts.length * length);
  encoded.forEach((row, index) => {
    ids.set(row.map(BigInt), index * length);
    mask.fill(1n, index * length, index * length + row.length);
  });
  const dims = [texts.length, length];
  const all: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', ids, dims),
    attention_mask: new ort.Tensor('int64', mask, dims),
    token_type_ids: new ort.Tensor('int64', new BigInt64Array(ids.length), dims),
  };
  return Object.fromEntries(inputNames.map((name) => [name, all[name]]));
}
