import { describe, expect, it } from 'vitest';
import type { FillMaskBackendV1, ModelBackendV1, ServiceBackendV1 } from './fill-mask-backend-v1.js';
import { BackendUnavailableError } from '../errors/backend-unavailable-error.js';
import { FillMaskError } from '../errors/fill-mask-error.js';
import { resolveBackend } from './resolve-backend.js';

async function rejection(promise: Promise<unknown>): Promise<BackendUnavailableError> {
  const error = await promise.then(
    () => expect.unreachable('resolveBackend should have rejected'),
    (reason: unknown) => reason,
  );
  expect(BackendUnavailableError.isInstance(error)).toBe(true);
  expect(FillMaskError.isInstance(error)).toBe(true);
  return error as BackendUnavailableError;
}

const validBackend: ModelBackendV1 = {
  specificationVersion: 'v1',
  name: 'test',
  loadModel: async () => {
    throw new Error('not used');
  },
};

describe('resolveBackend', () => {
  it('returns a valid v1 backend object as is', async () => {
    expect(await resolveBackend(validBackend, undefined)).toBe(validBackend);
    expect(await resolveBackend(validBackend, { ignored: true })).toBe(validBackend);
  });

  it('an unknown name is a BackendUnavailableError listing the known names', async () => {
    const error = await rejection(resolveBackend('tensorflow', undefined));
    expect(error.backend).toBe('tensorflow');
    expect(error.message).toBe(
      'Backend "tensorflow" is unavailable: no such backend; use one of "onnx", "web", "remote" or pass a backend instance.',
    );
  });

  it('names are not looked up on the prototype chain', async () => {
    for (const name of ['constructor', 'toString', '__proto__', '']) {
      const error = await rejection(resolveBackend(name, undefined));
      expect(error.message, name).toContain('no such backend');
    }
  });

  it('a backend object of another specification version is a BackendUnavailableError naming both versions', async () => {
    const future = { ...validBackend, name: 'future', specificationVersion: 'v2' } as unknown as FillMaskBackendV1;
    const error = await rejection(resolveBackend(future, undefined));
    expect(error.backend).toBe('future');
    expect(error.message).toContain('"v2"');
    expect(error.message).toContain('"v1"');
    expect(error.message).toBe(
      'Backend "future" is unavailable: it implements backend specification "v2", and this @fillmask/core supports "v1". ' +
        'Upgrade @fillmask/core or the backend so they match.',
    );
  });

  it('an object without a specification version, or not an object, is rejected the same way', async () => {
    const { specificationVersion: _ignored, ...unversioned } = validBackend;
    const error = await rejection(resolveBackend(unversioned as unknown as FillMaskBackendV1, undefined));
    expect(error.backend).toBe('test');
    expect(error.message).toContain('specification undefined');
    for (const value of [null, 42, { name: 7 }]) {
      const rejected = await rejection(resolveBackend(value as unknown as FillMaskBackendV1, undefined));
      expect(rejected.backend).toBe('custom');
    }
  });

  it('a known name whose package is not installed is a BackendUnavailableError telling to install it', async () => {
    const error = await rejection(resolveBackend('ghost', undefined, { ghost: '@fillmask/backend-ghost' }));
    expect(error.backend).toBe('ghost');
    expect(error.message).toBe(
      'Backend "ghost" is unavailable: could not load @fillmask/backend-ghost; install it with npm install @fillmask/backend-ghost.',
    );
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('"onnx" loads @fillmask/backend-onnx and returns its v1 backend', async () => {
    const backend = (await resolveBackend('onnx', {})) as ModelBackendV1;
    expect(backend.specificationVersion).toBe('v1');
    expect(backend.name).toBe('onnx');
    expect(backend.kind).toBeUndefined();
    expect(typeof backend.loadModel).toBe('function');
  });

  it('"remote" loads @fillmask/backend-remote and returns its v1 service backend, built with the backend options', async () => {
    const backend = (await resolveBackend('remote', { endpointUrl: 'http://127.0.0.1:9/', maskToken: '[MASK]' })) as ServiceBackendV1;
    expect([backend.specificationVersion, backend.kind, backend.name]).toEqual(['v1', 'service', 'remote']);
    expect(typeof backend.connect).toBe('function');
  });

  it('a service backend is returned as is; one of an unknown kind, or without its entry point, is refused', async () => {
    const service: ServiceBackendV1 = {
      specificationVersion: 'v1',
      kind: 'service',
      name: 'svc',
      connect: async () => expect.unreachable(),
    };
    expect(await resolveBackend(service, undefined)).toBe(service);
    expect(await resolveBackend({ ...validBackend, kind: 'model' }, undefined)).toEqual({ ...validBackend, kind: 'model' });

    const unknownKind = await rejection(resolveBackend({ ...service, kind: 'quantum' } as unknown as FillMaskBackendV1, undefined));
    expect(unknownKind.message).toBe(
      'Backend "svc" is unavailable: it is a backend of kind "quantum", and this @fillmask/core knows "model" and "service". Upgrade @fillmask/core.',
    );
    const noConnect = await rejection(
      resolveBackend({ specificationVersion: 'v1', kind: 'service', name: 'svc' } as unknown as FillMaskBackendV1, undefined),
    );
    expect(noConnect.message).toBe('Backend "svc" is unavailable: it has no connect() method, which a service backend must have.');
    const noLoad = await rejection(resolveBackend({ specificationVersion: 'v1', name: 'bare' } as unknown as FillMaskBackendV1, undefined));
    expect(noLoad.message).toBe('Backend "bare" is unavailable: it has no loadModel() method, which a model backend must have.');
  });
});
