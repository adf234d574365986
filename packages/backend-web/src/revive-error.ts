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
import type { SerializedError } from './serialize-error.js';

type Fields = Readonly<Record<string, unknown>>;

/**
 * How to construct each fillmask error from its fields. The constructor gives the instance its
 * class marker (so `MissingMaskError.isInstance` holds); the message and fields are then set to
 * the original's.
 */
const constructors: Readonly<Record<string, (fields: Fields) => Error>> = {
  FillMask_InvalidArgumentError: (fields) =>
    new InvalidArgumentError({ argument: text(fields.argument), value: fields.value, expected: '' }),
  FillMask_MissingMaskError: (fields) => new MissingMaskError({ maskToken: text(fields.maskToken) }),
  FillMask_InputTooLongError: (fields) => new InputTooLongError({ length: Number(fields.length), limit: Number(fields.limit) }),
  FillMask_UnsupportedModelError: (fields) => new UnsupportedModelError({ model: text(fields.model), reason: '' }),
  FillMask_ModelFileNotFoundError: (fields) => new ModelFileNotFoundError({ model: text(fields.model), file: text(fields.file) }),
  FillMask_HubRequestError: (fields) => new HubRequestError({ url: text(fields.url), message: '' }),
  FillMask_BackendUnavailableError: (fields) => new BackendUnavailableError({ backend: text(fields.backend), reason: '' }),
  FillMask_InferenceError: (fields) => new InferenceError({ backend: text(fields.backend), message: '' }),
  FillMask_DisposedError: () => new DisposedError('This fill-mask object'),
};

/**
 * The error a worker sent, rebuilt as the same class on this side: a fillmask error of a known
 * name as its class, another fillmask error (a newer core's) as FillMaskError, anything else as an
 * Error with the original name and message.
 */
export function reviveError(serialized: SerializedError): Error {
  const { name, message, stack, fields } = serialized;
  const construct = Object.hasOwn(constructors, name) ? constructors[name] : undefined;
  const error = construct ? construct(fields) : name.startsWith('FillMask_') ? new FillMaskError(name, message) : new Error(message);
  Object.assign(error, fields);
  error.name = name;
  error.message = message;
  if (stack !== undefined) error.stack = stack;
  return error;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : String(value);
}
