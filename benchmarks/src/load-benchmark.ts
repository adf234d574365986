import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  loadProbeResultTag,
  summarizeLoadCase,
  withSampledPeaks,
  type LoadCaseName,
  type LoadProbeRequest,
  type LoadProbeResult,
  type LoadReport,
  type LoadRun,
  type MemorySample,
} from './load-measures.js';
import { memoryStatus } from './process-memory.js';
import { turnOrder } from './turn-order.js';

export interface LoadBenchmarkOptions {
  /** A model folder with onnx/model.onnx. */
  readonly exportFolder: string;
  /** The same model without an ONNX export: model.safetensors + config.json + tokenizer. */
  readonly weightsFolder: string;
  readonly threads: number;
  readonly repetitions: number;
  readonly seed: number;
  readonly sentence: string;
  readonly log?: (line: string) => void;
}

/** The units of one repetition, in an order shuffled by the seed and the repetition: the two loads from weights stay together, first then cached. */
const units: readonly (readonly LoadCaseName[])[] = [
  ['fillmask-baseline'],
  ['fillmask-export'],
  ['fillmask-weights-first', 'fillmask-weights-cached'],
  ['transformers.js-baseline'],
  ['transformers.js-export'],
];

/**
 * Each load of `LoadCaseName` in a fresh process, `repetitions` times, after one read of the model
 * files so every load finds them in the OS's page cache (the disk's speed is not measured). The loads
 * from weights get a built-graph cache folder of their own each repetition, empty for the first and
 * holding what it built for the second, removed after. Then transformers.js is pointed once at the
 * weights-only repo, to record how it fails.
 */
export async function measureLoads(options: LoadBenchmarkOptions): Promise<Omit<LoadReport, 'date' | 'arguments'>> {
  const log = options.log ?? (() => undefined);
  const { exportFolder, weightsFolder, threads, sentence } = options;
  const weightsBytes = await weightFilesBytes(weightsFolder);
  const exportBytes = (await stat(join(exportFolder, 'onnx', 'model.onnx'))).size;
  await readFolder(exportFolder);
  await readFolder(weightsFolder);
  const runs = new Map<LoadCaseName, LoadRun[]>(units.flat().map((name) => [name, []]));
  let builtGraphBytes: number | undefined;
  for (let repetition = 0; repetition < options.repetitions; repetition++) {
    const cacheRoot = await mkdtemp(join(tmpdir(), 'fillmask-load-bench-'));
    const builtGraphCache = join(cacheRoot, 'graphs');
    try {
      for (const name of turnOrder(units, options.seed, repetition).flat()) {
        const library = name.startsWith('transformers.js') ? 'transformers.js' : 'fillmask';
        const folder = name.endsWith('baseline') ? undefined : name.includes('weights') ? weightsFolder : exportFolder;
        const result = await runLoadProbe({ library, folder, threads, sentence, ...(library === 'fillmask' && { builtGraphCache }) });
        if (result.error !== undefined) throw new Error(`${name} failed: ${result.error}`);
        const expected = { 'fillmask-export': 'export', 'fillmask-weights-first': 'built', 'fillmask-weights-cached': 'cached' }[
          name as string
        ];
        if (expected !== undefined && result.graph !== expected)
          throw new Error(`${name}: fillmask's graph was ${result.graph}, not ${expected}`);
        if (name === 'fillmask-weights-first') builtGraphBytes ??= await builtGraphSize(builtGraphCache);
        runs.get(name)!.push({ ...result, repetition });
        log(
          `  ${repetition + 1}/${options.repetitions} ${name}: ${result.loadMs === undefined ? '' : `load ${result.loadMs.toFixed(0)} ms + first fill ${result.firstFillMs!.toFixed(0)} ms, `}peak RSS ${mebibytes(result.peakRssBytes)} MiB`,
        );
        // The written graph's pages go to disk, the last process's threads wind down.
        await new Promise((resolve) => setTimeout(resolve, name === 'fillmask-weights-first' ? 2000 : 300));
      }
    } finally {
      await rm(cacheRoot, { recursive: true, force: true });
    }
  }
  const refused = await runLoadProbe({ library: 'transformers.js', folder: weightsFolder, threads, sentence });
  return {
    threads,
    repetitions: options.repetitions,
    seed: options.seed,
    sentence,
    exportFolder,
    weightsFolder,
    weightsBytes,
    exportBytes,
    ...(builtGraphBytes !== undefined && { builtGraphBytes }),
    cases: units.flat().map((name) => summarizeLoadCase(name, runs.get(name)!)),
    ...(refused.error !== undefined && { transformersJsWeightsError: refused.error }),
  };
}

/**
 * One load in a fresh Node process (load-probe.js), its RSS sampled from here every 10 ms
 * (/proc/<pid>/status, which costs the child nothing) to find the peak between its marks.
 */
export async function runLoadProbe(request: LoadProbeRequest): Promise<LoadProbeResult> {
  const probe = fileURLToPath(new URL('./load-probe.js', import.meta.url));
  const child = spawn(process.execPath, [probe, JSON.stringify(request)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const samples: MemorySample[] = [];
  const sampler = setInterval(() => {
    const memory = child.pid === undefined ? undefined : memoryStatus(child.pid);
    if (memory !== undefined)
      samples.push({ at: Date.now(), rssBytes: memory.rssBytes, anonymousBytes: memory.anonymousBytes, fileBytes: memory.fileBytes });
  }, 10);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timeout = setTimeout(() => child.kill(), 600_000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    const line = stdout.split('\n').find((text) => text.startsWith(loadProbeResultTag));
    if (line === undefined) throw new Error(`load-probe exited with ${code} and no result: ${stderr.slice(-2000)}`);
    const result = JSON.parse(line.slice(loadProbeResultTag.length)) as LoadProbeResult;
    return { ...result, marks: withSampledPeaks(result.marks, samples) };
  } finally {
    clearInterval(sampler);
    clearTimeout(timeout);
  }
}

/** model.safetensors, or every weight file of the folder (shards, pytorch_model.bin). */
async function weightFilesBytes(folder: string): Promise<number> {
  const names = (await readdir(folder)).filter((name) => /\.(safetensors|bin)$/.test(name));
  if (names.length === 0) throw new Error(`${folder} holds no model.safetensors or pytorch_model.bin`);
  const sizes = await Promise.all(
    (names.includes('model.safetensors') ? ['model.safetensors'] : names).map(async (name) => (await stat(join(folder, name))).size),
  );
  return sizes.reduce((total, size) => total + size, 0);
}

async function builtGraphSize(cacheFolder: string): Promise<number | undefined> {
  for (const entry of await readdir(cacheFolder).catch(() => [])) {
    const size = await stat(join(cacheFolder, entry, 'model.onnx')).then(
      (info) => info.size,
      () => undefined,
    );
    if (size !== undefined) return size;
  }
  return undefined;
}

/** Every file under `folder` read once and dropped, so the loads find them in the page cache. */
async function readFolder(folder: string): Promise<void> {
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    await new Promise<void>((resolve, reject) => {
      createReadStream(join(entry.parentPath ?? entry.path, entry.name), { highWaterMark: 1 << 22 })
        .on('data', () => undefined)
        .on('end', resolve)
        .on('error', reject);
    });
  }
}

function mebibytes(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0);
}
