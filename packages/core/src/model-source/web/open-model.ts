import type { ModelFiles } from '../model-files.js';
import type { ModelSourceOptions } from '../model-source-options.js';
import { InvalidArgumentError } from '../../errors/invalid-argument-error.js';
import { openUrlModel } from './url-model-files.js';

/**
 * Outside Node there is no file system: a model is a URL base in the Hub folder layout, or a Hub id
 * fetched from `<hubUrl>/<id>/resolve/<revision>/`.
 */
export async function openModel(model: string, options: ModelSourceOptions = {}): Promise<ModelFiles> {
  if (/^(https?:)?\/\//.test(model) || model.startsWith('/') || model.startsWith('./') || model.startsWith('../')) {
    return openUrlModel(new URL(model.endsWith('/') ? model : `${model}/`, globalThis.location?.href).href, options);
  }
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(model)) {
    throw new InvalidArgumentError({ argument: 'model', value: model, expected: 'a Hub model id such as "org/name", or a URL' });
  }
  const hubUrl = (options.hubUrl ?? 'https://huggingface.co').replace(/\/$/, '');
  const revision = encodeURIComponent(options.revision ?? 'main');
  return openUrlModel(`${hubUrl}/${model}/resolve/${revision}/`, options);
}
