/**
 * The models the page offers. First and chosen by default: @fillmask/model-mini-en, the small
 * English BERT the project trained (real predictions, though modest: 4.8 M parameters), served at
 * /model-mini-en/ by vite.config.ts and copied into the production build. Then this repository's
 * four tiny test models (real tokenizers, random weights, so their predictions mean nothing), served
 * at /models/ in dev and preview only. Type a Hub id, such as 'Xenova/bert-base-uncased', to fetch a
 * full-size model from the Hub.
 */
export const exampleModels: ReadonlyArray<{ readonly label: string; readonly model: string }> = [
  { label: 'model-mini-en (trained, English)', model: '/model-mini-en/' },
  { label: 'tiny-bert-uncased (random weights)', model: '/models/tiny-bert-uncased/' },
  { label: 'tiny-roberta (random weights)', model: '/models/tiny-roberta/' },
  { label: 'tiny-bert-cased-pt (random weights)', model: '/models/tiny-bert-cased-pt/' },
  { label: 'tiny-albert (random weights)', model: '/models/tiny-albert/' },
];

export const exampleText = 'She opened the [MASK] and walked in.\nThe [MASK] sat on the [MASK].';
