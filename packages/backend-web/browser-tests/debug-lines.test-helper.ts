/** The debug lines of the web backend, worded as the Node backend's (`fillmask: <model file> <note>`). */
export const debugLine = {
  /** At load: the graph projects the vocabulary at the mask rows only. */
  rewritten: (modelFile: string) =>
    new RegExp(
      `^fillmask: ${escapeRegExp(modelFile)} rewritten: \\d+ ops, the vocabulary projection among them, run on the mask rows only$`,
    ),
  /** At load, q8: batches will get the per-input quantized variant. */
  batchesWillUseVariant: (modelFile: string) =>
    new RegExp(
      `^fillmask: ${escapeRegExp(modelFile)} batches of several inputs will run a variant that quantizes each input on its own \\(\\d+ quantizers\\)$`,
    ),
  /** At the first batch of several inputs, q8: the variant was built. */
  variantBuilt: (modelFile: string) =>
    new RegExp(
      `^fillmask: ${escapeRegExp(modelFile)} the variant quantizing each input on its own rewritten: \\d+ ops, the vocabulary projection among them, run on the mask rows only$`,
    ),
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
