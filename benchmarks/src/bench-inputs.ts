import { readFileSync } from 'node:fs';
import { seededRandom } from './seeded-random.js';

/** The one sentence the latency rows time (18 tokens in distilroberta's tokenizer), in the model's own mask token. */
export function latencySentence(maskToken: string): string {
  return `In the morning the old fisherman walked slowly down to the ${maskToken} with his nets.`;
}

/**
 * `count` varied sentences from the corpus files (5 to 40 words, one line each), each with one
 * word of 3+ letters replaced by the mask token. Taken evenly across the files, in a seeded order.
 */
export function maskedSentences(files: readonly string[], count: number, maskToken: string, seed = 20261122): string[] {
  const random = seededRandom(seed);
  const perFile = Math.ceil(count / files.length);
  const sentences: string[] = [];
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
      words[candidates[Math.floor(random() * candidates.length)]] = maskToken;
      sentences.push(words.join(' '));
    }
  }
  return sentences.slice(0, count);
}
