import { readFileSync } from 'node:fs';
import { createContender, type ContenderName, type ContenderSetup } from './contenders.js';

/**
 * Run in a child process per contender, so each peak resident set size is that library's alone:
 * load the model, fill every sentence once, report the peak.
 */
const [name, setupJson, sentencesFile] = process.argv.slice(2);
const setup = JSON.parse(setupJson) as ContenderSetup;
const sentences = JSON.parse(readFileSync(sentencesFile, 'utf8')) as string[];
const contender = await createContender(name as ContenderName, setup);
await contender.fillAll(sentences);
await contender.dispose();
process.stdout.write(JSON.stringify({ peakRssBytes: peakRssBytes() }));

/**
 * This process's own peak: VmHWM, the high-water mark of its address space, which starts afresh at
 * exec. getrusage's maxRSS does not: Linux carries it over from the spawning process, so a child of
 * a large benchmark process would report the parent's size.
 */
function peakRssBytes(): number {
  try {
    const kilobytes = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kilobytes !== undefined) return Number(kilobytes) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}
