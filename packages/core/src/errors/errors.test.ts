import { describe, expect, it, vi } from 'vitest';
import * as errors from './index.js';
import {
  type BackendUnavailableError,
  DisposedError,
  FillMaskError,
  type HubRequestError,
  InferenceError,
  InputTooLongError,
  InvalidArgumentError,
  type InvalidModelFileError,
  MissingMaskError,
  ModelFileNotFoundError,
  RemoteRequestError,
  type UnsupportedModelError,
} from './index.js';

type ErrorClass = (typeof errors)[keyof typeof errors];

const cause = new Error('the runtime said no');

/** One instance of every exported error class, with the message it must have and whether it takes a cause. */
const samples: Record<keyof typeof errors, { make: (module: typeof errors) => Error; message: string; keepsCause: boolean }> = {
  FillMaskError: {
    make: (module) => new module.FillMaskError('FillMask_CustomError', 'Something went wrong.', { cause }),
    message: 'Something went wrong.',
    keepsCause: true,
  },
  InvalidArgumentError: {
    make: (module) => new module.InvalidArgumentError({ argument: 'topK', value: 1.5, expected: 'an integer of at least 1' }),
    message: 'Invalid topK: expected an integer of at least 1, received number 1.5.',
    keepsCause: false,
  },
  MissingMaskError: {
    make: (module) => new module.MissingMaskError({ maskToken: '<mask>', inputIndex: 2 }),
    message: 'No mask token found in input 2: write <mask> where the model should fill in a word.',
    keepsCause: false,
  },
  InputTooLongError: {
    make: (module) => new module.InputTooLongError({ length: 600, limit: 512 }),
    message:
      'The input is 600 tokens long (special tokens included) but the model accepts at most 512. ' +
      'Shorten it, or pass { truncation: true } to keep a window of 512 tokens around the masks.',
    keepsCause: false,
  },
  UnsupportedModelError: {
    make: (module) => new module.UnsupportedModelError({ model: 'org/model', reason: 'its tokenizer defines no mask token.', cause }),
    message: 'Model org/model cannot be used for fill-mask: its tokenizer defines no mask token.',
    keepsCause: true,
  },
  ModelFileNotFoundError: {
    make: (module) =>
      new module.ModelFileNotFoundError({ model: 'org/model', file: 'onnx/model.onnx', hint: 'Export it with Optimum.', cause }),
    message: 'Model org/model has no file onnx/model.onnx. Export it with Optimum.',
    keepsCause: true,
  },
  InvalidModelFileError: {
    make: (module) =>
      new module.InvalidModelFileError({
        model: 'org/model',
        file: 'pytorch_model.bin',
        reason: 'its pickle names the global os.system, which is not allowed.',
        cause,
      }),
    message: 'Cannot read pytorch_model.bin of model org/model: its pickle names the global os.system, which is not allowed.',
    keepsCause: true,
  },
  HubRequestError: {
    make: (module) =>
      new module.HubRequestError({
        url: 'https://huggingface.co/org/model/resolve/main/config.json',
        message: 'The Hub answered 404 for org/model: no such repository.',
        status: 404,
        errorCode: 'RepoNotFound',
        requestId: 'Root=1-abc',
        cause,
      }),
    message: 'The Hub answered 404 for org/model: no such repository.',
    keepsCause: true,
  },
  BackendUnavailableError: {
    make: (module) => new module.BackendUnavailableError({ backend: 'web', reason: 'could not load @fillmask/backend-web.', cause }),
    message: 'Backend "web" is unavailable: could not load @fillmask/backend-web.',
    keepsCause: true,
  },
  InferenceError: {
    make: (module) => new module.InferenceError({ backend: 'onnx', message: 'the model failed to run: out of memory', cause }),
    message: 'onnx backend: the model failed to run: out of memory',
    keepsCause: true,
  },
  DisposedError: {
    make: (module) => new module.DisposedError('This fill-mask object'),
    message: 'This fill-mask object was disposed; create a new one to run more calls.',
    keepsCause: false,
  },
  RemoteRequestError: {
    make: (module) =>
      new module.RemoteRequestError({
        url: 'https://user:secret@router.huggingface.co/hf-inference/models/org/model?token=hf_secret#x',
        message: 'The service answered 503 for org/model after 4 attempts: Model is loading.',
        status: 503,
        requestId: 'req-42',
        isRetryable: true,
        attempts: 4,
        retryAfterMs: 2000,
        cause,
      }),
    message: 'The service answered 503 for org/model after 4 attempts: Model is loading.',
    keepsCause: true,
  },
};

const names = Object.keys(samples) as Array<keyof typeof errors>;
const subclassNames = names.filter((name) => name !== 'FillMaskError');
// biome-ignore lint/performance/noDynamicNamespaceImportAccess: the test walks every exported class by name.
const classOf = (name: keyof typeof errors): ErrorClass => errors[name];
const sample = (name: keyof typeof errors, module: typeof errors = errors) => samples[name].make(module);

describe('error classes', () => {
  it('every class exported from errors/index.ts has a sample here', () => {
    const exported = Object.entries(errors)
      .filter(([, value]) => typeof value === 'function')
      .map(([name]) => name)
      .sort();
    expect(exported).toEqual([...names].sort());
    expect(exported).toHaveLength(12);
  });

  describe.each(names)('%s', (name) => {
    const ErrorType = classOf(name);

    it('is an Error and an instance of its class, recognised by its own isInstance and by FillMaskError.isInstance', () => {
      const error = sample(name);
      expect(error).toBeInstanceOf(Error);
      expect(error).toBeInstanceOf(ErrorType);
      expect(ErrorType.isInstance(error)).toBe(true);
      expect(FillMaskError.isInstance(error)).toBe(true);
      expect(typeof error.stack).toBe('string');
    });

    it('is named FillMask_<Class> and has a meaningful message', () => {
      const error = sample(name);
      expect(error.name).toMatch(/^FillMask_/);
      expect(error.name).toBe(name === 'FillMaskError' ? 'FillMask_CustomError' : `FillMask_${name}`);
      expect(error.message).toBe(samples[name].message);
      expect(String(error)).toBe(`${error.name}: ${samples[name].message}`);
    });

    it(samples[name].keepsCause ? 'keeps its cause' : 'has no cause', () => {
      expect(sample(name).cause).toBe(samples[name].keepsCause ? cause : undefined);
    });

    it('rejects values that are not fillmask errors', () => {
      for (const value of [null, undefined, 0, 'FillMask_InferenceError', {}, [], new Error('plain'), new TypeError('type')]) {
        expect(ErrorType.isInstance(value), String(value)).toBe(false);
      }
    });
  });

  describe.each(subclassNames)('%s.isInstance on the other classes (vercel/ai #9528)', (name) => {
    it('is false for an instance of every sibling class and for the base class', () => {
      const ErrorType = classOf(name);
      for (const other of names.filter((otherName) => otherName !== name)) {
        expect(ErrorType.isInstance(sample(other)), `${name}.isInstance(${other})`).toBe(false);
      }
    });
  });

  it('keeps the fields each class documents', () => {
    const invalid = sample('InvalidArgumentError') as InvalidArgumentError;
    expect([invalid.argument, invalid.value]).toEqual(['topK', 1.5]);
    const missing = sample('MissingMaskError') as MissingMaskError;
    expect([missing.maskToken, missing.inputIndex]).toEqual(['<mask>', 2]);
    const tooLong = sample('InputTooLongError') as InputTooLongError;
    expect([tooLong.length, tooLong.limit, tooLong.inputIndex]).toEqual([600, 512, undefined]);
    expect((sample('UnsupportedModelError') as UnsupportedModelError).model).toBe('org/model');
    const notFound = sample('ModelFileNotFoundError') as ModelFileNotFoundError;
    expect([notFound.model, notFound.file]).toEqual(['org/model', 'onnx/model.onnx']);
    const invalidFile = sample('InvalidModelFileError') as InvalidModelFileError;
    expect([invalidFile.model, invalidFile.file, invalidFile.reason]).toEqual([
      'org/model',
      'pytorch_model.bin',
      'its pickle names the global os.system, which is not allowed.',
    ]);
    const hub = sample('HubRequestError') as HubRequestError;
    expect([hub.url, hub.status, hub.errorCode, hub.requestId]).toEqual([
      'https://huggingface.co/org/model/resolve/main/config.json',
      404,
      'RepoNotFound',
      'Root=1-abc',
    ]);
    expect((sample('BackendUnavailableError') as BackendUnavailableError).backend).toBe('web');
    expect((sample('InferenceError') as InferenceError).backend).toBe('onnx');
    const remote = sample('RemoteRequestError') as RemoteRequestError;
    expect([remote.status, remote.requestId, remote.isRetryable, remote.attempts, remote.retryAfterMs]).toEqual([
      503,
      'req-42',
      true,
      4,
      2000,
    ]);
  });

  it('RemoteRequestError keeps only the origin and path of its URL: no user info, query or fragment', () => {
    const remote = sample('RemoteRequestError') as RemoteRequestError;
    expect(remote.url).toBe('https://router.huggingface.co/hf-inference/models/org/model');
    expect(JSON.stringify({ ...remote, message: remote.message })).not.toMatch(/secret/);
    const network = new RemoteRequestError({ url: 'not a url', message: 'm', isRetryable: true, attempts: 1 });
    expect([network.url, network.status, network.requestId, network.retryAfterMs]).toEqual([
      '(invalid URL)',
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('messages vary with their arguments', () => {
    expect(new MissingMaskError({ maskToken: '[MASK]' }).message).toBe(
      'No mask token found in the input: write [MASK] where the model should fill in a word.',
    );
    expect(new InputTooLongError({ length: 700, limit: 512, inputIndex: 4, masksSpan: 600 }).message).toBe(
      'Input 4 is 700 tokens long (special tokens included) but the model accepts at most 512. ' +
        'Its masks span 600 tokens, more than fit in one window: split it into several inputs.',
    );
    expect(new ModelFileNotFoundError({ model: 'm', file: 'tokenizer.json' }).message).toBe('Model m has no file tokenizer.json.');
    expect(new InvalidArgumentError({ argument: 'inputs', value: 'x'.repeat(61), expected: 'y' }).message).toBe(
      'Invalid inputs: expected y, received a string of 61 characters.',
    );
    expect(new InvalidArgumentError({ argument: 'targets', value: [], expected: 'y' }).message).toBe(
      'Invalid targets: expected y, received an empty array.',
    );
    expect(new InvalidArgumentError({ argument: 'model', value: undefined, expected: 'y' }).message).toBe(
      'Invalid model: expected y, received undefined.',
    );
  });

  describe('across copies of the package', () => {
    it('recognises errors from another copy of the module (same Symbol.for markers, different classes)', async () => {
      vi.resetModules();
      const copy = (await import('./index.js')) as typeof errors;
      expect(copy.MissingMaskError).not.toBe(MissingMaskError);
      expect(copy.FillMaskError).not.toBe(FillMaskError);
      for (const name of names) {
        const foreign = sample(name, copy);
        expect(foreign instanceof classOf(name), name).toBe(false);
        expect(classOf(name).isInstance(foreign), name).toBe(true);
        expect(FillMaskError.isInstance(foreign), name).toBe(true);
        // And the other way round.
        expect((copy[name] as ErrorClass).isInstance(sample(name)), name).toBe(true);
        for (const other of subclassNames.filter((otherName) => otherName !== name)) {
          expect(classOf(other).isInstance(foreign), `${other}.isInstance(copy ${name})`).toBe(false);
        }
      }
    });

    it('recognises an object built by an unrelated class that carries the markers', () => {
      const baseMarker = Symbol.for('fillmask.error');
      const missingMaskMarker = Symbol.for('fillmask.error.missing-mask');
      class CopiedMissingMaskError extends Error {
        readonly [baseMarker] = true;
        readonly [missingMaskMarker] = true;
      }
      const copied = new CopiedMissingMaskError('No mask token found in the input.');
      expect(MissingMaskError.isInstance(copied)).toBe(true);
      expect(FillMaskError.isInstance(copied)).toBe(true);
      expect(InputTooLongError.isInstance(copied)).toBe(false);
      expect(DisposedError.isInstance(copied)).toBe(false);
    });

    it('needs the marker to be exactly true', () => {
      expect(FillMaskError.isInstance({ [Symbol.for('fillmask.error')]: 'true' })).toBe(false);
      expect(FillMaskError.isInstance({ [Symbol.for('fillmask.error')]: 1 })).toBe(false);
      expect(InferenceError.isInstance({ [Symbol.for('fillmask.error.inference')]: true })).toBe(true);
      // A string key with the marker's description is not the symbol.
      expect(FillMaskError.isInstance({ 'fillmask.error': true })).toBe(false);
    });
  });
});
