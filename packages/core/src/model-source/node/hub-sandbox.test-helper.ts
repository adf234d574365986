import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fixtureModelPath } from '@fillmask/fixtures';
import { startHubServer, type HubServer, type HubServerOptions } from '@fillmask/test-hub-server';
import { afterEach } from 'vitest';

/** Served by every sandbox Hub: an `org/name` id and a bare `name` id. */
export const bertId = 'fillmask-test/tiny-bert-uncased';
export const robertaId = 'tiny-roberta';
export const bertFolder = fixtureModelPath('tiny-bert-uncased');
export const robertaFolder = fixtureModelPath('tiny-roberta');

export interface HubSandbox {
  /** A fresh empty folder under the OS temp folder, removed after the test. */
  tempDir(): Promise<string>;
  /** A test Hub serving the two fixture models (plus `options.repos`), closed after the test. */
  startHub(options?: Partial<HubServerOptions>): Promise<HubServer>;
}

/** Call at the top of a test file or describe block: what each test starts is cleaned up after it. */
export function useHubSandbox(): HubSandbox {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    async tempDir() {
      const folder = await mkdtemp(path.join(tmpdir(), 'fillmask-hub-test-'));
      cleanups.push(() => rm(folder, { recursive: true, force: true }));
      return folder;
    },
    async startHub(options = {}) {
      const hub = await startHubServer({
        ...options,
        repos: { [bertId]: { folder: bertFolder }, [robertaId]: { folder: robertaFolder }, ...options.repos },
      });
      cleanups.push(() => hub.close());
      return hub;
    },
  };
}
