/**
 * The models the page offers: this repository's four tiny test models (real tokenizers, random
 * weights, so the predictions mean nothing), served at /models/ by vite.config.ts. Add a Hub id,
 * such as 'Xenova/bert-base-uncased', to fetch a real model from the Hub.
 */
export const exampleModels: ReadonlyArray<{ readonly label: string; readonly model: string }> = [
  { label: 'tiny-bert-uncased (WordPiece)', model: '/models/tiny-bert-uncased/' },
  { label: 'tiny-roberta (byte-level BPE)', model: '/models/tiny-roberta/' },
  { label: 'tiny-bert-cased-pt (WordPiece, cased)', model: '/models/tiny-bert-cased-pt/' },
  { label: 'tiny-albert (SentencePiece)', model: '/models/tiny-albert/' },
];

export const exampleText = 'Paris is the [MASK] of France.\nThe [MASK] sat on the [MASK].';
