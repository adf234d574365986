import type { WeightDtype } from './model-weights.js';

/** Bytes per element of each dtype a checkpoint may hold. */
const elementSizes: Readonly<Record<WeightDtype, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** Every dtype the readers accept, as safetensors names them. */
export const weightDtypes: readonly WeightDtype[] = Object.keys(elementSizes) as WeightDtype[];

/** True for the dtype names this package reads (safetensors' spelling); false for U16, F8_E4M3 and the like. */
export function isWeightDtype(name: unknown): name is WeightDtype {
  return typeof name === 'string' && Object.hasOwn(elementSizes, name);
}

/** How many bytes one element of `dtype` takes. */
export function elementSize(dtype: WeightDtype): number {
  return elementSizes[dtype];
}
