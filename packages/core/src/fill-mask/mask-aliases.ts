import { InvalidArgumentError } from '../errors/invalid-argument-error.js';

/**
 * The two spellings of the mask that examples use: BERT's `[MASK]` and RoBERTa's `<mask>`. Given as
 * `maskAliases`, they let one text work with every model (the `fillmask` CLI and server do this).
 */
export const commonMaskAliases: readonly string[] = Object.freeze(['[MASK]', '<mask>']);

/**
 * A function that writes `maskToken` in place of every alias in a text; without aliases, the text
 * as it is. The rewrite is of the text, before tokenizing, so the result is exactly the text the
 * caller would have written with the model's own token: for RoBERTa, whose `<mask>` absorbs the space
 * before it, `the [MASK]` becomes `the <mask>` and encodes as that does, space absorbed. The longest
 * alias wins where two overlap.
 */
export function maskAliasReplacer(aliases: readonly string[], maskToken: string): (text: string) => string {
  const others = aliases.filter((alias) => alias !== maskToken);
  if (others.length === 0) return (text) => text;
  const pattern = new RegExp(
    [...others]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|'),
    'g',
  );
  return (text) => text.replace(pattern, maskToken);
}

/** The config's `maskAliases`, checked: an array of non-empty strings; undefined means none. */
export function checkMaskAliases(value: unknown): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((alias) => typeof alias !== 'string' || alias === '')) {
    throw new InvalidArgumentError({
      argument: 'maskAliases',
      value,
      expected: "an array of non-empty strings, such as ['[MASK]', '<mask>']",
    });
  }
  return Object.freeze([...value]);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
