import { readFileSync } from 'node:fs';
import { createContender, type ContenderName, type ContenderSetup } from './contenders.js';
import { peakRssBytes } from './process-memory.js';

/**
 * Run in a child process per contender, so each peak resident set size is that library's alone:
 * load the model, fill every sentence once, report the peak (`peakRssBytes`).
 */
const [name, setupJson, sentencesFile] = process.argv.slice(2);
const setup = JSON.parse(setupJson) as ContenderSetup;
const sentences = JSON.parse(readFileSync(sentencesFile, 'utf8')) as string[];
const contender = await createContender(name as ContenderName, setup);
await contender.fillAll(sentences);
await contender.dispose();
process.stdout.write(JSON.stringify({ peakRssBytes: peakRssBytes() }));
