import { describe, expect, it } from 'vitest';
import {
  BackendUnavailableError,
  DisposedError,
  FillMaskError,
  HubRequestError,
  InferenceError,
  InputTooLongError,
  InvalidArgumentError,
  MissingMaskError,
  ModelFileNotFoundError,
  UnsupportedModelError,
} from '@fillmask/core';
import { reviveError } from './revive-error.js';
import { serializeError } from './serialize-error.js';

/** What a worker's error looks like on the page: serialized, structured-cloned by postMessage, revived. */
function acrossThreads(error: unknown): Error {
  return reviveError(structuredClone(serializeError(error)));
}

const typedErrors: Array<[Error, { isInstance(error: unknown): boolean }]> = [
  [new InvalidArgumentError({ argument: 'topK', value: 0, expected: 'an integer of at least 1' }), InvalidArgumentError],
  [new MissingMaskError({ maskToken: '[MASK]', inputIndex: 3 }), MissingMaskError],
  [new InputTooLongError({ length: 700, limit: 512, inputIndex: 1 }), InputTooLongError],
  [new InputTooLongError({ length: 900, limit: 512, masksSpan: 600 }), InputTooLongError],
  [new UnsupportedModelError({ model: 'hub:org/x@main', reason: 'no mask token.' }), UnsupportedModelError],
  [
    new ModelFileNotFoundError({ model: 'org/x', file: 'onnx/model.onnx', hint: 'The Hub has no such file at revision main.' }),
    ModelFileNotFoundError,
  ],
  [
    new HubRequestError({
      url: 'https://huggingface.co/org/x/resolve/main/config.json',
      status: 401,
      errorCode: 'GatedRepo',
      requestId: 'Root=1-2',
      message: 'gated',
    }),
    HubRequestError,
  ],
  [new BackendUnavailableError({ backend: 'web', reason: 'no WebGPU adapter.' }), BackendUnavailableError],
  [new InferenceError({ backend: 'web', message: 'the graph returned int64.' }), InferenceError],
  [new DisposedError('This fill-mask object'), DisposedError],
];

describe('errors across the worker boundary', () => {
  for (const [original, errorClass] of typedErrors) {
    it(`${original.name} comes back as its class, with its message and fields`, () => {
      const revived = acrossThreads(original);
      expect(errorClass.isInstance(revived)).toBe(true);
      expect(FillMaskError.isInstance(revived)).toBe(true);
      expect(revived).toBeInstanceOf(Error);
      expect(revived.name).toBe(original.name);
      expect(revived.message).toBe(original.message);
      expect(revived.stack).toBe(original.stack);
      const { stack: _revivedStack, ...revivedFields } = Object.fromEntries(Object.entries(revived));
      const { stack: _originalStack, ...originalFields } = Object.fromEntries(Object.entries(original));
      expect(revivedFields).toEqual(originalFields);
    });
  }

  it('is not mistaken for another class', () => {
    const revived = acrossThreads(new MissingMaskError({ maskToken: '<mask>' }));
    expect(InputTooLongError.isInstance(revived)).toBe(false);
    expect(InvalidArgumentError.isInstance(revived)).toBe(false);
  });

  it('a fillmask error this package does not know (a newer core) is still a FillMaskError', () => {
    const revived = acrossThreads(new FillMaskError('FillMask_FutureError', 'from a newer core'));
    expect(FillMaskError.isInstance(revived)).toBe(true);
    expect(revived).toMatchObject({ name: 'FillMask_FutureError', message: 'from a newer core' });
  });

  it('any other error keeps its name and message', () => {
    const revived = acrossThreads(new TypeError('not a function'));
    expect(FillMaskError.isInstance(revived)).toBe(false);
    expect(revived).toMatchObject({ name: 'TypeError', message: 'not a function' });
    expect(acrossThreads('a thrown string')).toMatchObject({ name: 'Error', message: 'a thrown string' });
  });

  it('a field that cannot be cloned crosses as its description', () => {
    const revived = acrossThreads(
      new InvalidArgumentError({ argument: 'targets', value: function pickTarget() {}, expected: 'strings' }),
    ) as InvalidArgumentError;
    expect(InvalidArgumentError.isInstance(revived)).toBe(true);
    expect(revived.value).toBe('[function pickTarget]');
    expect(revived.message).toBe('Invalid targets: expected strings, received function.');
  });
});
