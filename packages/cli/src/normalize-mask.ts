const familiarMasks = /\[MASK\]|<mask>/g;

/** Lets one example work with every model: both usual spellings become the model's own mask token. */
export function normalizeMask(text: string, maskToken: string): string {
  return text.replace(familiarMasks, maskToken);
}
