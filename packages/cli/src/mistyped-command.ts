import type { CliCommand } from './cli-command.js';

/**
 * The command a first argument was probably meant to name (`scroe` for `score`): one word, no mask,
 * within two edits of a command's name. Such a word is no TEXT fill could use, so saying so beats
 * "no mask found". Undefined when the argument reads as anything else.
 */
export function mistypedCommand(first: string | undefined, commands: readonly CliCommand[]): string | undefined {
  if (first === undefined || !/^[a-z]{3,}$/i.test(first)) return undefined;
  const word = first.toLowerCase();
  const ranked = commands
    .map((command) => ({ name: command.name, distance: editDistance(word, command.name) }))
    .sort((a, b) => a.distance - b.distance);
  return ranked[0] !== undefined && ranked[0].distance <= 2 ? ranked[0].name : undefined;
}

/** Edits between two words: insertions, deletions, substitutions and swaps of neighbours (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}
