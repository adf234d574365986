import type { AddedTokenJson, AddedTokenSpec } from './added-token.js';

/** The model vocabulary, as far as adding tokens needs it. */
export interface VocabularyLookup {
  /** The id of a vocabulary entry, or undefined. */
  idOf(token: string): number | undefined;
  /** How many ids the model has: a token not in the vocabulary gets the next free id from here. */
  readonly size: number;
}

/**
 * Gives ids to the tokens to add, as `tokenizers`' AddedVocabulary does: a token already in the
 * vocabulary keeps its id, any other takes the next id after both the vocabulary and the tokens added
 * so far. The first token of each content wins; later ones with the same content are dropped, as
 * transformers drops them. Returns tokenizer.json's `added_tokens`, sorted by id.
 */
export function addTokens(vocabulary: VocabularyLookup, tokens: readonly AddedTokenSpec[]): AddedTokenJson[] {
  const added = new Map<string, AddedTokenJson>();
  let nextNewId = vocabulary.size;
  for (const token of tokens) {
    if (added.has(token.content)) continue;
    let id = vocabulary.idOf(token.content);
    if (id === undefined) id = nextNewId;
    nextNewId = Math.max(nextNewId, id + 1);
    added.set(token.content, { id, ...token });
  }
  return [...added.values()].sort((a, b) => a.id - b.id);
}

/** The id of an added token by content; undefined when there is none. */
export function addedTokenId(addedTokens: readonly AddedTokenJson[], content: string): number | undefined {
  return addedTokens.find((token) => token.content === content)?.id;
}
