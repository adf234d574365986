import type { ModelFiles } from '../model-files.js';
import type { ModelSourceOptions } from '../model-source-options.js';
import { HubRequestError } from '../../errors/hub-request-error.js';
import { ModelFileNotFoundError } from '../../errors/model-file-not-found-error.js';

/** ModelFiles fetched over HTTP from a base URL in the Hub folder layout. */
export function openUrlModel(baseUrl: string, options: ModelSourceOptions): ModelFiles {
  const fetchFile = options.fetch ?? globalThis.fetch.bind(globalThis);
  const headers: Record<string, string> = options.accessToken ? { authorization: `Bearer ${options.accessToken}` } : {};
  const request = async (path: string, method: 'GET' | 'HEAD'): Promise<Response> => {
    const url = new URL(path, baseUrl).href;
    try {
      return await fetchFile(url, { method, headers });
    } catch (cause) {
      throw new HubRequestError({ url, message: `Could not fetch ${url}: ${String((cause as Error)?.message ?? cause)}`, cause });
    }
  };
  return {
    location: baseUrl,
    async read(path) {
      const response = await request(path, 'GET');
      if (response.status === 404) throw new ModelFileNotFoundError({ model: baseUrl, file: path });
      if (!response.ok) {
        throw new HubRequestError({ url: response.url, status: response.status, message: `Fetching ${path} from ${baseUrl} failed with HTTP ${response.status}.` });
      }
      const total = Number(response.headers.get('content-length') ?? NaN);
      const bytes = new Uint8Array(await response.arrayBuffer());
      options.onProgress?.({ file: path, status: 'done', loadedBytes: bytes.length, totalBytes: Number.isNaN(total) ? undefined : total });
      return bytes;
    },
    async exists(path) {
      return (await request(path, 'HEAD')).ok;
    },
  };
}
