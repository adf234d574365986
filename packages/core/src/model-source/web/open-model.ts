import type { ModelFiles } from '../model-files.js';
import type { ModelSourceOptions } from '../model-source-options.js';
import { InvalidArgumentError } from '../../errors/invalid-argument-error.js';
import { openUrlModel } from './url-model-files.js';
import { isWebHubModelId } from './web-hub-model-id.js';
import { resolveHubUrl } from '../hub-url.js';

/**
 * Opens a model by name outside Node, where there is no file system: a URL base in the Hub folder
 * layout (`https://...`, `/models/x/`, `./models/x/`), resolved against the page, or a Hub id
 * (`name` or `org/name`) fetched from `<hubUrl>/<id>/resolve/<revision>/`. Files are kept in the
 * browser's Cache API, so a reload reads them without a request.
 */
export async function openModel(model: string, options: ModelSourceOptions = {}): Promise<ModelFiles> {
  if (typeof model !== 'string' || model.trim() === '') {
    throw new InvalidArgumentError({
      argument: 'model',
      value: model,
      expected: 'a Hub model id such as "org/name", or the URL of a model folder',
    });
  }
  const hubUrl = resolveHubUrl(options.hubUrl);
  if (/^[a-z][a-z0-9+.-]*:/i.test(model) || model.startsWith('/') || model.startsWith('./') || model.startsWith('../')) {
    const baseUrl = resolveFolderUrl(model);
    return openUrlModel({ baseUrl, location: baseUrl, hubOrigin: new URL(hubUrl).origin, options });
  }
  if (!isWebHubModelId(model)) {
    throw new InvalidArgumentError({
      argument: 'model',
      value: model,
      expected: 'a Hub model id ("name" or "org/name"), or the URL of a model folder',
    });
  }
  const revision = options.revision ?? 'main';
  if (typeof revision !== 'string' || revision === '') {
    throw new InvalidArgumentError({ argument: 'revision', value: revision, expected: 'a branch, tag or commit hash, e.g. "main"' });
  }
  return openUrlModel({
    // One path segment, as the Hub expects: `refs/pr/1` becomes `refs%2Fpr%2F1`.
    baseUrl: `${hubUrl}/${model}/resolve/${encodeURIComponent(revision)}/`,
    location: `hub:${model}@${revision}`,
    hubOrigin: new URL(hubUrl).origin,
    hubModel: { modelId: model, revision, hubUrl },
    options,
  });
}

/** The model folder as an absolute http(s) URL ending in `/`, relative paths resolved against the page. */
function resolveFolderUrl(model: string): string {
  let url: URL;
  try {
    url = new URL(model, globalThis.location?.href);
  } catch {
    throw new InvalidArgumentError({
      argument: 'model',
      value: model,
      expected: 'an absolute model URL (a relative one needs a page to resolve against)',
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidArgumentError({ argument: 'model', value: model, expected: 'an http(s) URL of a model folder or a Hub model id' });
  }
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname = `${url.pathname}/`;
  return url.href;
}
