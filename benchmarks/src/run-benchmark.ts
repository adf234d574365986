import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadTokenizer, modelFileForDtype, openModel, type ModelDtype } from '@fillmask/core';
import { prepareBatchGraph, prepareFillMaskGraphs } from '@fillmask/onnx';
import { evalFiles, latencySentence, maskedSentences } from './bench-inputs.js';
import {
  createContender,
  settingContenders,
  peerBatchSize,
  type Contender,
  type ContenderName,
  type ContenderSetup,
  type SettingContenderName,
} from './contenders.js';
import { measureGemmGflops, measureWeightStreamingGBps } from './hardware-ceilings.js';
import { latencyFloorMs } from './latency-floor.js';
import { runBatchTokensSweep } from './batch-tokens/run-batch-tokens-sweep.js';
import { measureLoads } from './load-benchmark.js';
import { latencySamplesByRound } from './latency-samples.js';
import { measurePeakRss } from './measure-peak-rss.js';
import { productsByPlace, weightProducts, type ProductsPerRow, type WeightProduct } from './graph-products.js';
import { batchFlops, encoderShape, paddedBatches, type PaddedBatch } from './model-flops.js';
import { ratiosByRound, summarize, timed, type Summary } from './statistics.js';
import { latencySchedule, turnOrder, type LatencySchedule } from './turn-order.js';
import { writeLoadResults } from './write-load-results.js';
import { writeResults, type BenchmarkCase, type BenchmarkReport } from './write-results.js';
import { runPathsBenchmark } from './paths/run-paths.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const baseContenders: ContenderName[] = ['fillmask', 'transformers.js', 'onnxruntime'];
const sameSettingContenders: ContenderName[] = ['transformers.js-same-settings', 'onnxruntime-same-settings'];

// `--paths` measures the CLI, score and serve against their peers instead, with options of its own.
if (process.argv.includes('--batch-tokens')) {
  await runBatchTokensSweep(
    process.argv.slice(2).filter((argument) => argument !== '--batch-tokens'),
    root,
  );
  process.exit(0);
}

if (process.argv.includes('--paths')) {
  await runPathsBenchmark(process.argv.slice(2).filter((argument) => argument !== '--paths'));
  process.exit(0);
}

const { values } = parseArgs({
  options: {
    model: { type: 'string', multiple: true },
    dtype: { type: 'string', multiple: true },
    threads: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    'latency-runs': { type: 'string', default: '90' },
    'calls-per-turn': { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    sentences: { type: 'string', default: '512' },
    corpus: { type: 'string', default: join(root, 'benchmarks', 'corpus') },
    output: { type: 'string' },
    // Also measures fillmask with its other pointwiseConvolutions settings (false and 'everywhere').
    convolutions: { type: 'boolean', default: false },
    // Also measures fillmask with intra-op threads that stop spinning when a run returns (force_spinning_stop '1').
    spinning: { type: 'boolean', default: false },
    // Also measures fillmask q8 with onnxruntime's exact u8×u8 int8 kernel (x64quantprecision '1').
    u8u8: { type: 'boolean', default: false },
    // Measures loading instead: from the ONNX export, and from the weights with and without the built graph.
    load: { type: 'boolean', default: false },
    'weights-model': { type: 'string' },
    repetitions: { type: 'string', default: '7' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(`Usage: npm run bench -- [options]   (or node benchmarks/dist/run-benchmark.js [options])

fillmask, transformers.js and a bare onnxruntime session.run on the same model files, interleaved.
Writes results.md and results.json. See benchmarks/README.md.

  --model ID|FOLDER     a Hub id or model folder (repeatable); default: bench-models/bench-distilroberta
                        and bench-models/bench-bert-base, built on first use by
                        benchmarks/models/make-bench-models.sh (about a minute each)
  --dtype fp32|q8       repeatable; default fp32 and q8
  --threads N           intra-op threads; default: the logical cores (${availableParallelism()})
  --rounds N            throughput rounds; default 3
  --latency-runs N      timed one-sentence calls per contender, a multiple of --calls-per-turn; default 90
  --calls-per-turn N    default 3
  --seed N              turn order; default 1
  --sentences N         throughput sentences; default 512
  --corpus FOLDER       its eval/*.txt give the sentences; default benchmarks/corpus
  --output FOLDER       for results.md and results.json, made if missing; default benchmarks
                        (with --load: benchmarks/load)
  --convolutions        also fillmask with pointwiseConvolutions false and 'everywhere'
  --spinning            also fillmask with force_spinning_stop '1'
  --u8u8                also fillmask q8 with x64quantprecision '1'
  --load                measure loading instead (fp32): fillmask from the ONNX export (--model, one
                        folder; default bench-models/bench-distilroberta) and from the same weights
                        without an export (--weights-model; default the --model folder's name + '-weights'),
                        first with the graph built, then from the built-graph cache; transformers.js
                        from the export; each in a fresh process, time and peak RSS
  --repetitions N       with --load: loads of each kind; default 7
  --paths               measure the paths users take instead: fillmask -f, score and serve against
                        their peers, whole processes (see --paths --help); writes benchmarks/paths/
  -h, --help            this text`);
  process.exit(0);
}
if (values.load) {
  await runLoadBenchmark();
  process.exit(0);
}
const output = values.output ?? join(root, 'benchmarks');
const settingContenderNames = (Object.keys(settingContenders) as SettingContenderName[]).filter(
  (name) => values[settingContenders[name].flag],
);

const threads = Number(values.threads ?? availableParallelism());
const rounds = Number(values.rounds);
const latencyRuns = Number(values['latency-runs']);
const callsPerTurn = Number(values['calls-per-turn']);
const seed = Number(values.seed);
const schedule: LatencySchedule = { timedCalls: latencyRuns, callsPerTurn, seed };
latencySchedule([], schedule); // Rejects bad counts before an hour of measuring, not after.
mkdirSync(output, { recursive: true }); // Likewise an output folder that cannot be made.
const corpusFiles = evalFiles(values.corpus!); // And a corpus folder without sentences.
console.log(
  `sentences from ${corpusFiles.length} files of ${join(values.corpus!, 'eval')}: ${corpusFiles.map((file) => basename(file)).join(', ')}`,
);
const dtypes = (values.dtype ?? ['fp32', 'q8']) as ModelDtype[];
const models = values.model ?? defaultBenchModels();

const gemmGflops = await measureGemmGflops(threads);
const weightStreamingGBps = await measureWeightStreamingGBps(threads);
console.log(
  `through onnxruntime, ${threads} threads: fp32 GEMM ${gemmGflops.toFixed(1)} GFLOP/s, weights read by a one-row product ${weightStreamingGBps.toFixed(1)} GB/s`,
);
const cases: BenchmarkCase[] = [];
for (const model of models) {
  const folder = await resolveFolder(model);
  for (const dtype of dtypes) cases.push(await benchmarkCase(model, folder, dtype));
}
const report: BenchmarkReport = {
  date: new Date().toISOString(),
  threads,
  rounds,
  latencyRuns,
  callsPerTurn,
  seed,
  gemmGflops,
  weightStreamingGBps,
  cases,
  arguments: process.argv.slice(2),
};
writeResults(report, output);
console.log(`results written to ${join(output, 'results.md')} and results.json`);

async function benchmarkCase(model: string, folder: string, dtype: ModelDtype): Promise<BenchmarkCase> {
  const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
  const setup: ContenderSetup = { folder, dtype, threads, topK: 5 };
  const settingNames = settingContenderNames.filter((name) => settingContenders[name].dtypes?.includes(dtype) ?? true);
  const contenderNames: ContenderName[] = [...baseContenders, ...sameSettingContenders, ...settingNames];
  const contenders: Contender[] = [];
  for (const name of contenderNames) contenders.push(await createContender(name, setup));
  const maskToken = await openMaskToken(folder);
  const sentences = maskedSentences(corpusFiles, Number(values.sentences), maskToken);
  const single = latencySentence(maskToken);
  console.log(`\n${model} ${dtype}: ${sentences.length} sentences, ${threads} threads`);

  for (const contender of contenders) {
    for (let warmup = 0; warmup < 3; warmup++) await contender.fillOne(single);
    await contender.fillAll(sentences.slice(0, 64));
  }
  const samplesByRound = await latencySamplesByRound(latencySchedule(contenders, schedule), {
    call: (contender) => contender.fillOne(single),
    time: timed,
    settle,
  });
  const latencyByRound = Object.fromEntries(contenders.map((contender) => [contender.name, samplesByRound.get(contender) ?? []])) as Record<
    ContenderName,
    number[][]
  >;
  const latency = Object.fromEntries(Object.entries(latencyByRound).map(([name, rounds]) => [name, rounds.flat()])) as Record<
    ContenderName,
    number[]
  >;
  const throughput = samplesByContender();
  for (let round = 0; round < rounds; round++) {
    for (const contender of turnOrder(contenders, seed, round)) {
      await settle();
      const milliseconds = await timed(() => contender.fillAll(sentences));
      throughput[contender.name].push(sentences.length / (milliseconds / 1000));
      console.log(`  round ${round + 1}: ${contender.name} ${(sentences.length / (milliseconds / 1000)).toFixed(1)} sentences/s`);
    }
  }
  for (const contender of contenders) await contender.dispose();

  const peakRss: Record<string, number> = {};
  for (const name of [...baseContenders, ...settingNames]) peakRss[name] = await measurePeakRss(name, setup, sentences);

  const lengths = await tokenLengths(folder, sentences);
  const shape = encoderShape(config);
  const graphs = graphsRun(readFileSync(join(folder, modelFileForDtype(dtype))));
  const work = (products: ProductsPerRow, batches: readonly PaddedBatch[]) =>
    batches.reduce((total, batch) => total + batchFlops(shape, products, batch), 0);
  const flops = {
    // fillmask sorts by length before cutting batches.
    fillmask: work(
      productsByPlace(graphs.fillmaskBatches),
      paddedBatches(
        [...lengths].sort((a, b) => a - b),
        peerBatchSize,
      ),
    ),
    'transformers.js': work(productsByPlace(graphs.unmodified), paddedBatches(lengths, peerBatchSize)),
  };
  const latencyTokens = (await tokenLengths(folder, [single]))[0];
  const ceilings = { gemmGflops, weightStreamingGBps };
  // Undefined for int8 graphs, whose products have other ceilings.
  const fillmaskFloor = latencyFloorMs(graphs.fillmaskOne, shape, latencyTokens, ceilings);
  const unmodifiedFloor = latencyFloorMs(graphs.unmodified, shape, latencyTokens, ceilings);
  const summaries = (samples: Record<ContenderName, number[]>) =>
    Object.fromEntries(contenderNames.map((name) => [name, summarize(samples[name])])) as Partial<Record<ContenderName, Summary>> &
      Record<'fillmask' | 'transformers.js' | 'onnxruntime', Summary>;
  const result: BenchmarkCase = {
    model,
    dtype,
    sentences: sentences.length,
    latencyTokens,
    latencyMs: summaries(latency),
    latencySamplesByRound: latencyByRound,
    latencyRatiosByRound: {
      'transformers.js': summarize(ratiosByRound(latencyByRound.fillmask, latencyByRound['transformers.js'])),
      onnxruntime: summarize(ratiosByRound(latencyByRound.fillmask, latencyByRound.onnxruntime)),
    },
    ...(settingNames.length > 0 && {
      settingLatencyRatiosByRound: Object.fromEntries(
        settingNames.map((name) => [name, summarize(ratiosByRound(latencyByRound[name], latencyByRound.fillmask))]),
      ),
    }),
    ...(fillmaskFloor !== undefined && unmodifiedFloor !== undefined
      ? { latencyFloorMs: { fillmask: fillmaskFloor, unmodified: unmodifiedFloor } }
      : {}),
    throughput: summaries(throughput),
    peakRssBytes: peakRss as BenchmarkCase['peakRssBytes'],
    gflops: {
      fillmask: flops.fillmask / 1e9 / (sentences.length / summarize(throughput.fillmask).median),
      'transformers.js': flops['transformers.js'] / 1e9 / (sentences.length / summarize(throughput['transformers.js']).median),
    },
  };
  console.log(`  latency median ms: ${contenderNames.map((name) => `${name} ${result.latencyMs[name]!.median.toFixed(2)}`).join(', ')}`);
  console.log(
    `  throughput median: ${contenderNames.map((name) => `${name} ${result.throughput[name]!.median.toFixed(1)}`).join(', ')} sentences/s`,
  );
  return result;
}

function samplesByContender(): Record<ContenderName, number[]> {
  return {
    fillmask: [],
    'transformers.js': [],
    onnxruntime: [],
    'transformers.js-same-settings': [],
    'onnxruntime-same-settings': [],
    'fillmask-convolutions-off': [],
    'fillmask-convolutions-everywhere': [],
    'fillmask-spinning-stopped': [],
    'fillmask-u8u8': [],
  };
}

/**
 * A pause before each timed call. onnxruntime's intra-op threads, left spinning (its default), keep a
 * core busy for about 40 ms after a run: without the pause a contender would be timed against the
 * previous one's spinning threads on this 2-core machine.
 */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 100));
}

/**
 * The products of the graph as exported and of the ones fillmask runs: for one input its rewrite,
 * for batches the same or, for an int8 graph, the per-input quantized variant's rewrite when there is one.
 */
function graphsRun(model: Uint8Array): { unmodified: WeightProduct[]; fillmaskOne: WeightProduct[]; fillmaskBatches: WeightProduct[] } {
  // The onnx backend's default: the products at the mask rows as convolutions (counted as the same products).
  const options = { pointwiseConvolutions: 'mask-rows' } as const;
  const prepared = prepareFillMaskGraphs(model, options);
  const batchGraph = prepared.batchGraph ? prepareBatchGraph(model, options).graph.model : prepared.single.model;
  return {
    unmodified: weightProducts(model),
    fillmaskOne: weightProducts(prepared.single.model ?? model),
    fillmaskBatches: weightProducts(batchGraph ?? model),
  };
}

async function folderTokenizer(folder: string) {
  return loadTokenizer(await openModel(folder), JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')));
}

async function openMaskToken(folder: string): Promise<string> {
  return (await folderTokenizer(folder)).maskToken;
}

async function tokenLengths(folder: string, texts: readonly string[]): Promise<number[]> {
  const tokenizer = await folderTokenizer(folder);
  return texts.map((text) => tokenizer.encode(text).ids.length);
}

/** A Hub id or folder as a folder both libraries can read (Hub models are downloaded to the cache first). */
async function resolveFolder(model: string): Promise<string> {
  if (existsSync(model)) return model;
  const files = await openModel(model);
  for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx'])
    await files.read(file);
  return join(await files.localPath!('config.json'), '..');
}

/**
 * `--load`: fillmask's loads from the ONNX export and from the weights (built, then from the
 * built-graph cache) and transformers.js's from the export, each in a fresh process; writes
 * results.md and results.json to benchmarks/load (or --output).
 */
async function runLoadBenchmark(): Promise<void> {
  const output = values.output ?? join(root, 'benchmarks', 'load');
  mkdirSync(output, { recursive: true });
  if ((values.model?.length ?? 0) > 1) throw new Error('--load measures one model: give one --model folder');
  const exportFolder = values.model?.[0] ?? defaultBenchModels()[0];
  const weightsFolder = values['weights-model'] ?? `${exportFolder.replace(/\/+$/, '')}-weights`;
  for (const [folder, file] of [
    [exportFolder, 'onnx/model.onnx'],
    [weightsFolder, 'config.json'],
  ]) {
    if (!existsSync(join(folder, file))) throw new Error(`--load needs model folders on disk: ${join(folder, file)} is missing`);
  }
  const threads = Number(values.threads ?? availableParallelism());
  const repetitions = Number(values.repetitions);
  if (!Number.isInteger(repetitions) || repetitions < 1)
    throw new Error(`--repetitions must be a positive integer, not ${values.repetitions}`);
  console.log(`load: ${exportFolder} (ONNX export) and ${weightsFolder} (weights), fp32, ${threads} threads, ${repetitions} repetitions`);
  const measured = await measureLoads({
    exportFolder,
    weightsFolder,
    threads,
    repetitions,
    seed: Number(values.seed),
    sentence: latencySentence(await openMaskToken(exportFolder)),
    log: (line) => console.log(line),
  });
  writeLoadResults({ date: new Date().toISOString(), ...measured, arguments: process.argv.slice(2) }, output);
  console.log(`results written to ${join(output, 'results.md')} and results.json`);
}

/** The benchmark-size models of benchmarks/models/make-bench-models.sh, built on first use (about a minute each) into bench-models/, with their weights-only twins (`-weights`). */
function defaultBenchModels(): string[] {
  const out = join(root, 'bench-models');
  const folders = ['bench-distilroberta', 'bench-bert-base'].map((name) => join(out, name));
  if (
    !folders.every(
      (folder) => existsSync(join(folder, 'onnx', 'model_quantized.onnx')) && existsSync(join(`${folder}-weights`, 'model.safetensors')),
    )
  ) {
    execFileSync('bash', [join(root, 'benchmarks', 'models', 'make-bench-models.sh'), out], { stdio: 'inherit' });
  }
  return folders;
}
