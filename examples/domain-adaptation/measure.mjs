#!/usr/bin/env node
// Measures models on evaluation files with the fillmask CLI: corpus pseudo-perplexity
// (`fillmask score`) and cloze top-1 / top-5 accuracy (`fillmask eval`), on the first N lines of
// each file, and prints a Markdown table.
//
//   node measure.mjs --lines 300 <eval-file>... [--model name=folder-or-hub-id ...]
//
// Without --model it compares the two models of this example: @fillmask/model-mini-en (general)
// and @fillmask/model-mini-en-biomed (the same model after biomedical pre-training).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { lines: { type: 'string', default: '300' }, model: { type: 'string', multiple: true }, seed: { type: 'string', default: '0' } },
});
if (positionals.length === 0) {
  console.error('usage: node measure.mjs [--lines N] [--seed N] [--model name=path ...] <eval-file>...');
  process.exit(2);
}
const packageFolder = (name) => dirname(require.resolve(`${name}/package.json`));
const models = (
  values.model ?? [`general=${packageFolder('@fillmask/model-mini-en')}`, `biomed=${packageFolder('@fillmask/model-mini-en-biomed')}`]
).map((entry) => {
  const [name, ...path] = entry.split('=');
  return { name, path: path.join('=') };
});
const bin = join(packageFolder('@fillmask/cli'), 'bin', 'fillmask.js');
const lineCount = Number(values.lines);

function fillmask(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`fillmask ${args.join(' ')} exited with ${code}`))));
  });
}

const lastLine = (stdout) => JSON.parse(stdout.trim().split('\n').at(-1));
const workDir = await mkdtemp(join(tmpdir(), 'fillmask-measure-'));
const rows = [];
try {
  for (const file of positionals) {
    const lines = (await readFile(file, 'utf8'))
      .split('\n')
      .filter((line) => line.trim() !== '')
      .slice(0, lineCount);
    const sample = join(workDir, basename(file));
    await writeFile(sample, `${lines.join('\n')}\n`);
    const row = { file: basename(file, '.txt'), lines: lines.length, results: [] };
    for (const model of models) {
      // --truncation: a line longer than the model's window is scored on its first window.
      const { summary: score } = lastLine(await fillmask(['score', '-m', model.path, '-f', sample, '--jsonl', '--truncation', '-q']));
      const { summary: cloze } = lastLine(await fillmask(['eval', '-m', model.path, '-f', sample, '--jsonl', '--seed', values.seed, '-q']));
      row.results.push({
        model: model.name,
        pppl: score.pppl,
        tokens: score.tokens,
        top1: cloze.top1,
        top5: cloze.top5,
        evaluated: cloze.evaluated,
      });
      console.error(
        `${row.file} ${model.name}: PPPL ${score.pppl.toFixed(2)} over ${score.tokens} tokens; cloze top-1 ${(cloze.top1 * 100).toFixed(1)}% top-5 ${(cloze.top5 * 100).toFixed(1)}% over ${cloze.evaluated}`,
      );
    }
    rows.push(row);
  }
} finally {
  await rm(workDir, { recursive: true, force: true });
}

const percent = (value) => `${(value * 100).toFixed(1)}`;
// Every model shares the tokenizer here, so the scored tokens and the cloze items are the same for all.
const header = [
  'eval file',
  'lines',
  'scored tokens',
  'cloze items',
  ...models.map((model) => `PPPL ${model.name}`),
  ...models.map((model) => `cloze top-1 / top-5 % ${model.name}`),
];
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map((_, index) => (index === 0 ? ' --- ' : ' ---: ')).join('|')}|`);
for (const row of rows) {
  const best = Math.min(...row.results.map((result) => result.pppl));
  const pppl = row.results.map((result) =>
    result.pppl === best && row.results.length > 1 ? `**${result.pppl.toFixed(2)}**` : result.pppl.toFixed(2),
  );
  const cloze = row.results.map((result) => `${percent(result.top1)} / ${percent(result.top5)}`);
  console.log(`| ${[row.file, row.lines, row.results[0].tokens, row.results[0].evaluated, ...pppl, ...cloze].join(' | ')} |`);
}
