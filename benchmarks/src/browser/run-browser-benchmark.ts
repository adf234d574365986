import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadTokenizer, openModel } from '@fillmask/core';
import { evalFiles, latencySentence, maskedSentences } from '../bench-inputs.js';
import { peerBatchSize } from '../contenders.js';
import { latencySamplesByRound } from '../latency-samples.js';
import { ratiosByRound, summarize } from '../statistics.js';
import { latencySchedule, turnOrder, type LatencySchedule } from '../turn-order.js';
import { launchBenchChromium } from './bench-chromium.js';
import { startBenchPageServer, type Mount } from './bench-page-server.js';
import { buildBenchPages } from './build-bench-pages.js';
import { browserLibraries, openLibraryPage, type BrowserLibrary, type LibraryPage } from './library-page.js';
import { measurePageMemory, type PageMemoryRun } from './measure-page-memory.js';
import type { BenchPageLoadOptions } from './page/bench-page-api.js';
import { memoryAdded, writeBrowserResults, type BrowserBenchCase } from './write-browser-results.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const require = createRequire(import.meta.url);

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: join(root, 'bench-models', 'bench-distilroberta') },
    dtype: { type: 'string', multiple: true },
    threads: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    'latency-runs': { type: 'string', default: '90' },
    'calls-per-turn': { type: 'string', default: '3' },
    'memory-runs': { type: 'string', default: '3' },
    // Memory alone, for a quick reading of a change to loading: memory is far less sensitive to a busy machine than time.
    'memory-only': { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    sentences: { type: 'string', default: '512' },
    corpus: { type: 'string', default: join(root, 'benchmarks', 'corpus') },
    output: { type: 'string', default: join(root, 'benchmarks', 'browser') },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(`Usage: npm run bench:browser -- [options]   (or node benchmarks/dist/browser/run-browser-benchmark.js [options])

fillmask's web backend and transformers.js's browser bundle in headless Chromium, on WebAssembly,
on the same model files, interleaved; then each alone in a fresh Chromium for its memory.
Writes results.md and results.json. See benchmarks/README.md.

  --model FOLDER        a model folder with onnx/model.onnx and onnx/model_quantized.onnx;
                        default bench-models/bench-distilroberta (benchmarks/models/make-bench-models.sh)
  --dtype fp32|q8       repeatable; default fp32 and q8
  --threads N           WebAssembly threads of each library; default 2
  --rounds N            throughput rounds; default 3
  --latency-runs N      timed one-sentence calls per library, a multiple of --calls-per-turn; default 90
  --calls-per-turn N    default 3
  --memory-runs N       fresh Chromium loads per library for the memory readings; default 3
  --memory-only         the memory readings alone (no speed measurements, no results files)
  --seed N              turn order; default 1
  --sentences N         throughput sentences; default 512
  --corpus FOLDER       its eval/*.txt give the sentences; default benchmarks/corpus
  --output FOLDER       for results.md and results.json, made if missing; default benchmarks/browser
  -h, --help            this text`);
  process.exit(0);
}

const model = resolve(values.model!);
const threads = Number(values.threads);
const rounds = Number(values.rounds);
const memoryRuns = Number(values['memory-runs']);
const seed = Number(values.seed);
const schedule: LatencySchedule = { timedCalls: Number(values['latency-runs']), callsPerTurn: Number(values['calls-per-turn']), seed };
const dtypes = (values.dtype ?? ['fp32', 'q8']) as Array<'fp32' | 'q8'>;
// Bad options fail here, before minutes of measuring.
latencySchedule([], schedule);
for (const [name, value] of Object.entries({ threads, rounds, 'memory-runs': memoryRuns }))
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a whole number of at least 1, not ${value}`);
for (const dtype of dtypes) {
  if (dtype !== 'fp32' && dtype !== 'q8') throw new Error(`--dtype must be fp32 or q8, not ${dtype}`);
  const file = join(model, 'onnx', dtype === 'q8' ? 'model_quantized.onnx' : 'model.onnx');
  if (!existsSync(file)) throw new Error(`${file} is missing: build the bench models with benchmarks/models/make-bench-models.sh`);
}
mkdirSync(values.output!, { recursive: true });

const files = await openModel(model);
const tokenizer = await loadTokenizer(files, JSON.parse(new TextDecoder().decode(await files.read('config.json'))));
const sentences = maskedSentences(evalFiles(values.corpus!), Number(values.sentences), tokenizer.maskToken);
const single = latencySentence(tokenizer.maskToken);

// Neither package exports its package.json: their folders from the files they do export.
const transformersFolder = join(dirname(require.resolve('@huggingface/transformers')), '..');
const mounts: Mount[] = [
  // The model's parent folder: both libraries read `<name>/onnx/...` under it.
  ['/models/', dirname(model)],
  ['/ort/', dirname(require.resolve('onnxruntime-web/wasm'))],
  ['/transformers/', join(transformersFolder, 'dist')],
  ['/transformers-ort/', dirname(require.resolve('onnxruntime-web/wasm', { paths: [transformersFolder] }))],
];
console.log(`building the pages; sentences: ${sentences.length}, model ${model}, ${threads} threads`);
const pages = await buildBenchPages(root);
const server = await startBenchPageServer([...mounts, ['/', pages]]);
let chromiumVersion = '';
const cases: BrowserBenchCase[] = [];
try {
  for (const dtype of dtypes) {
    if (values['memory-only']) await memoryReadings(dtype);
    else cases.push(await benchmarkCase(dtype));
  }
} finally {
  await server.close();
  await rm(pages, { recursive: true, force: true });
}
if (values['memory-only']) process.exit(0);
writeBrowserResults(
  {
    date: new Date().toISOString(),
    arguments: process.argv.slice(2),
    threads,
    rounds,
    latencyRuns: schedule.timedCalls,
    callsPerTurn: schedule.callsPerTurn,
    memoryRuns,
    memorySentences: memoryWorkload().length,
    seed,
    chromium: chromiumVersion,
    onnxruntimeWeb: { fillmask: packageVersion(mounts[1][1]), 'transformers.js': packageVersion(mounts[3][1]) },
    cases,
  },
  values.output!,
);
console.log(`results written to ${join(values.output!, 'results.md')} and results.json`);

function loadOptions(dtype: 'fp32' | 'q8'): BenchPageLoadOptions {
  return { modelPath: `/models/${basename(model)}/`, dtype, threads, topK: 5 };
}

async function benchmarkCase(dtype: 'fp32' | 'q8'): Promise<BrowserBenchCase> {
  const load = loadOptions(dtype);
  console.log(`\n${basename(model)} ${dtype}`);
  const browser = await launchBenchChromium();
  chromiumVersion = browser.version();
  const latencyByRound = {} as Record<BrowserLibrary, number[][]>;
  const throughput: Record<BrowserLibrary, number[]> = { fillmask: [], 'transformers.js': [] };
  const topTokens = {} as Record<BrowserLibrary, string>;
  try {
    // Both pages in one Chromium, each in its own context (its own renderer), loaded one after the other.
    const libraryPages: LibraryPage[] = [];
    for (const library of browserLibraries) {
      const page = await openLibraryPage(browser, server.url, library);
      const loaded = await page.load(load);
      if (!loaded.crossOriginIsolated) throw new Error(`${library}'s page is not cross-origin isolated: it would run one thread`);
      topTokens[library] = await page.topToken(single);
      console.log(
        `  ${library} loaded in ${loaded.milliseconds.toFixed(0)} ms; best token for the latency sentence: ${JSON.stringify(topTokens[library])}`,
      );
      for (let warmup = 0; warmup < 3; warmup++) await page.fillOne(single);
      await page.fillAll(sentences.slice(0, 64), peerBatchSize);
      libraryPages.push(page);
    }
    const samples = await latencySamplesByRound(latencySchedule(libraryPages, schedule), {
      call: (page) => page.fillOne(single),
      // The page timed the call itself: its answer is the milliseconds.
      time: async (task) => (await task()) as number,
      settle,
    });
    for (const page of libraryPages) latencyByRound[page.name] = samples.get(page) ?? [];
    for (let round = 0; round < rounds; round++) {
      for (const page of turnOrder(libraryPages, seed, round)) {
        await settle();
        const milliseconds = await page.fillAll(sentences, peerBatchSize);
        throughput[page.name].push(sentences.length / (milliseconds / 1000));
        console.log(`  round ${round + 1}: ${page.name} ${(sentences.length / (milliseconds / 1000)).toFixed(1)} sentences/s`);
      }
    }
    const refused = libraryPages.flatMap((page) => page.handle.refusedRequests);
    if (refused.length > 0) throw new Error(`the pages asked for files off the page server: ${refused.join(', ')}`);
  } finally {
    await browser.close();
  }
  const memory = await memoryReadings(dtype);
  const latency = (library: BrowserLibrary) => summarize(latencyByRound[library].flat());
  console.log(
    `  latency median: fillmask ${latency('fillmask').median.toFixed(1)} ms, transformers.js ${latency('transformers.js').median.toFixed(1)} ms`,
  );
  return {
    model: basename(model),
    dtype,
    sentences: sentences.length,
    topTokens,
    latencyMs: { fillmask: latency('fillmask'), 'transformers.js': latency('transformers.js') },
    latencySamplesByRound: latencyByRound,
    latencyRatioByRound: summarize(ratiosByRound(latencyByRound.fillmask, latencyByRound['transformers.js'])),
    throughput: { fillmask: summarize(throughput.fillmask), 'transformers.js': summarize(throughput['transformers.js']) },
    memory,
  };
}

/** `--memory-runs` fresh Chromium loads of each library, in an order shuffled by the seed and the run. */
async function memoryReadings(dtype: 'fp32' | 'q8'): Promise<PageMemoryRun[]> {
  const memory: PageMemoryRun[] = [];
  const workload = memoryWorkload();
  for (let run = 0; run < memoryRuns; run++) {
    for (const library of turnOrder(browserLibraries, seed, run)) {
      const measured = await measurePageMemory(library, {
        origin: server.url,
        load: loadOptions(dtype),
        sentences: workload,
        batchSize: peerBatchSize,
      });
      memory.push(measured);
      const added = memoryAdded([measured], library);
      const mib = (summary: { median: number }) => `${(summary.median / 2 ** 20).toFixed(0)} MiB`;
      console.log(
        `  ${dtype} memory ${run + 1}: ${library} +${mib(added.loaded)} loaded, peak +${mib(added.peak)}, +${mib(added.afterWorkload)} after ${workload.length} sentences`,
      );
    }
  }
  return memory;
}

/** Enough sentences for two batches of 32: the batch graphs and their buffers are open, as after any workload. */
function memoryWorkload(): string[] {
  return sentences.slice(0, 2 * peerBatchSize);
}

/** A pause before each call: onnxruntime's threads spin a while after a run, and must not be timed against the next library's. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 100));
}

function packageVersion(distFolder: string): string {
  return (JSON.parse(readFileSync(join(distFolder, '..', 'package.json'), 'utf8')) as { version: string }).version;
}
