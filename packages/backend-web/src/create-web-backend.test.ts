import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, createFillMask, InvalidArgumentError } from '@fillmask/core';
import { fixtureModelPath } from '@fillmask/fixtures';
import { createBackend, createWebBackend } from './index.js';

describe('createWebBackend', () => {
  it('is the v1 model backend that core finds under the name "web"', async () => {
    const backend = createBackend();
    expect(backend).toMatchObject({ specificationVersion: 'v1', name: 'web' });
    expect(typeof createWebBackend({ executionProvider: 'webgpu', fallbackToWasm: true, numThreads: 2, wasmPaths: '/ort/' }).loadModel).toBe('function');
  });

  it('checks its options when created', () => {
    const invalid = [{ executionProvider: 'webgl' }, { numThreads: 0 }, { numThreads: 1.5 }, { wasmPaths: 42 }];
    for (const options of invalid) {
      expect(InvalidArgumentError.isInstance(thrownBy(() => createWebBackend(options as never))), JSON.stringify(options)).toBe(true);
    }
  });

  it('without WebGPU, rejects a webgpu request before loading any runtime (Node has no navigator.gpu)', async () => {
    let runtimeLoads = 0;
    const backend = createWebBackend({
      executionProvider: 'webgpu',
      runtime: async () => {
        runtimeLoads += 1;
        throw new Error('not to be loaded');
      },
    });
    const error = await createFillMask({ model: fixtureModelPath('tiny-albert'), backend }).catch((caught: unknown) => caught);
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('WebGPU was requested (executionProvider: "webgpu") but this browser has no WebGPU');
    expect(runtimeLoads).toBe(0);
  });

  it('turns a runtime that cannot be imported into BackendUnavailableError', async () => {
    const backend = createWebBackend({ runtime: () => Promise.reject(new Error('Failed to fetch dynamically imported module')) });
    const error = await createFillMask({ model: fixtureModelPath('tiny-albert'), backend }).catch((caught: unknown) => caught);
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('onnxruntime-web could not be loaded (Failed to fetch dynamically imported module)');
  });
});

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}
