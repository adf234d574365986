#!/usr/bin/env node
// Tokenizes a corpus (one text per line) with @fillmask/core's own tokenizer, so training and
// inference split text identically, into a binary file train.py reads:
//   <out>.ids.u16    every line's token ids without special tokens, concatenated (uint16 little-endian)
//   <out>.lines.u32  the offset (in tokens) where each non-empty line starts (uint32 little-endian)
//   <out>.json       counts and provenance
// Usage: node pretokenize.mjs <tokenizer-folder> <corpus.txt> <out-prefix>
import { createReadStream, createWriteStream, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { loadTokenizer, openModel } from '@fillmask/core';

const [tokenizerFolder, corpusPath, outPrefix] = process.argv.slice(2);
if (!outPrefix) {
  console.error('usage: node pretokenize.mjs <tokenizer-folder> <corpus.txt> <out-prefix>');
  process.exit(2);
}

const files = await openModel(tokenizerFolder);
const config = JSON.parse(new TextDecoder().decode(await files.read('config.json')));
const tokenizer = await loadTokenizer(files, config);
const unkId = tokenizer.tokenToId('[UNK]');

const idsOut = createWriteStream(`${outPrefix}.ids.u16`);
const linesOut = createWriteStream(`${outPrefix}.lines.u32`);
const started = Date.now();
let tokens = 0;
let lines = 0;
let unknown = 0;

async function write(stream, buffer) {
  if (!stream.write(buffer)) await once(stream, 'drain');
}

for await (const line of createInterface({ input: createReadStream(corpusPath, 'utf8'), crlfDelay: Infinity })) {
  const text = line.trim();
  if (text === '') continue;
  const ids = tokenizer.encode(text, { addSpecialTokens: false }).ids;
  if (ids.length === 0) continue;
  if (ids.some((id) => id > 0xffff)) throw new Error(`id above 65535 in line ${lines + 1}: a uint16 file cannot hold it`);
  await write(linesOut, Buffer.from(Uint32Array.of(tokens).buffer));
  await write(idsOut, Buffer.from(Uint16Array.from(ids).buffer));
  for (const id of ids) if (id === unkId) unknown++;
  tokens += ids.length;
  lines++;
  if (lines % 20000 === 0) console.error(`${lines} lines, ${tokens} tokens, ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
idsOut.end();
linesOut.end();
await Promise.all([once(idsOut, 'finish'), once(linesOut, 'finish')]);
const summary = {
  corpus: corpusPath,
  tokenizer: tokenizerFolder,
  lines,
  tokens,
  unknownTokens: unknown,
  seconds: (Date.now() - started) / 1000,
};
writeFileSync(`${outPrefix}.json`, `${JSON.stringify(summary, null, 2)}\n`);
console.error(JSON.stringify(summary));
