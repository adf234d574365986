/** The Cache API cache that holds model files. Delete it (`caches.delete(...)`) to download models again. */
export const modelCacheName = 'fillmask-models';

/**
 * The model cache, or undefined where the Cache API is missing: pages served over plain http from
 * another host than localhost are not a secure context and have no `caches`; they download every time.
 */
export async function openModelCache(): Promise<Cache | undefined> {
  if (typeof caches === 'undefined') return undefined;
  try {
    return await caches.open(modelCacheName);
  } catch {
    // Some private browsing modes refuse storage: work without it rather than fail.
    return undefined;
  }
}
