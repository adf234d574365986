import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from './seeded-random.js';

/** The one sentence the latency rows time (18 tokens in distilroberta's tokenizer), in the model's own mask token. */
export function latencySentence(maskToken: string): string {
  return `In the morning the old fisherman walked slowly down to the ${maskToken} with his nets.`;
}

/**
 * The evaluation files the benchmark has always read, in the order it reads them (the seeded choice
 * depends on it). The repository's corpus (benchmarks/corpus) holds the four whose licences allow
 * redistribution; the other two stay outside it (see benchmarks/corpus/README.md).
 */
export const knownEvalFiles = [
  'general_harvard_sentences.txt',
  'general_wikipedia_wikitext2_test.txt',
  'general_gutenberg_heldout_authors.txt',
  'bio_pubmed_abstracts_pubmedqa.txt',
  'bio_fulltext_craft_test.txt',
  'bio_consumer_health_medquad.txt',
] as const;

/**
 * The `.txt` files of `<corpus>/eval`: the known ones first, in their order, then any others by name.
 * A corpus folder holding all six known files gives the sentences the benchmark chose before its
 * corpus moved into the repository.
 */
export function evalFiles(corpus: string): string[] {
  const folder = join(corpus, 'eval');
  const present = readdirSync(folder).filter((name) => name.endsWith('.txt'));
  const known: readonly string[] = knownEvalFiles;
  const ordered = [...known.filter((name) => present.includes(name)), ...present.filter((name) => !known.includes(name)).sort()];
  if (ordered.length === 0) throw new Error(`no .txt files in ${folder}`);
  return ordered.map((name) => join(folder, name));
}

/** A corpus sentence as words, and the one word (3+ letters) the benchmark masks in it. */
export interface CorpusSentence {
  readonly words: readonly string[];
  readonly maskedWord: number;
}

/**
 * `count` varied sentences from the corpus files (5 to 40 words, one line each), each with one
 * word of 3+ letters replaced by the mask token. Taken evenly across the files, in a seeded order.
 */
export function maskedSentences(files: readonly string[], count: number, maskToken: string, seed = 20261122): string[] {
  return corpusSentences(files, count, seed).map(({ words, maskedWord }) =>
    words.map((word, index) => (index === maskedWord ? maskToken : word)).join(' '),
  );
}

/** The sentences `maskedSentences` chooses, unmasked, with the word it masks. */
export function corpusSentences(files: readonly string[], count: number, seed = 20261122): CorpusSentence[] {
  const random = seededRandom(seed);
  const perFile = Math.ceil(count / files.length);
  const sentences: CorpusSentence[] = [];
  for (const file of files) {
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => {
        const words = line.split(/\s+/).length;
        return words >= 5 && words <= 40;
      });
    for (let taken = 0; taken < perFile && lines.length > 0; taken++) {
      const line = lines.splice(Math.floor(random() * lines.length), 1)[0];
      const words = line.split(/\s+/);
      const candidates = words.map((word, index) => (/^[A-Za-z]{3,}$/.test(word) ? index : -1)).filter((index) => index >= 0);
      if (candidates.length === 0) {
        taken--;
        continue;
      }
      sentences.push({ words, maskedWord: candidates[Math.floor(random() * candidates.length)] });
    }
  }
  return sentences.slice(0, count);
}
