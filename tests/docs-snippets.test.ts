import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureModelPath, weightRepoPath } from '@fillmask/fixtures';
import { startHubServer, type HubServer } from '@fillmask/test-hub-server';

/**
 * Every fenced code block of the user docs (README.md, docs/*.md, packages/*\/README.md), read from
 * the markdown at test time, is either run here as written or listed below as not runnable here,
 * with the reason. A block (or, in an sh block, a command line) that is neither fails the first test.
 *
 * - js blocks are written as .mjs modules into a folder inside the repository (so `@fillmask/*`
 *   resolve to the workspace packages' built `dist`: run `npm run build` first) and run with node.
 *   A preloaded module records what they pass to console.log, so the checks read values, not text.
 * - sh lines run through `sh -c` as written, with `npx fillmask` (and `fillmask`) being the
 *   workspace's built CLI (a shim on PATH: a temporary folder has no node_modules/.bin), in a
 *   temporary folder holding the files they name.
 * - Hub ids resolve to a local double of the Hub (internal/test-hub-server) through HF_ENDPOINT,
 *   serving fixture folders under the docs' ids; the caches (HF_HOME, FILLMASK_CACHE) are temporary.
 * - Port 8080 becomes a free port, in the commands and in the code alike.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const cliBin = path.join(root, 'packages/cli/bin/fillmask.js');

/**
 * The Hub ids the docs name, each served from the fixture folder that publishes what the real
 * repository does (the tiny fixtures have real tokenizers and random weights).
 */
const hubRepos = {
  // Weights only (config.json, model.safetensors, tokenizer.json, vocab.json, merges.txt; no onnx/):
  // the graph is built from the weights, as for the real repository.
  'distilbert/distilroberta-base': weightRepoPath('roberta-safetensors'),
  // Xenova's repositories hold an ONNX export (onnx/model.onnx, onnx/model_quantized.onnx) and bert-base-uncased's tokenizer.
  'Xenova/bert-base-uncased': fixtureModelPath('tiny-bert-uncased'),
};

/** Files the sh lines name, created in their working folder. */
const sentences = ['She opened the [MASK] and walked in.', 'The cat sat on the <mask>.', 'He was a [MASK] man who lived by the sea.'];
const corpus = ['She opened the door and walked in.', 'The cat sat on the mat.', 'He was a young man who lived by the sea.'];

// ---------------------------------------------------------------------------------------------
// The blocks of the docs

interface CodeBlock {
  /** Relative to the repository root. */
  readonly file: string;
  /** Line of the opening fence (1-based). */
  readonly line: number;
  /** The fence's info string: js, ts, sh, '' ... */
  readonly lang: string;
  /** The block's text, without the indentation of its fence. */
  readonly code: string;
}

function docFiles(): string[] {
  const docs = readdirSync(path.join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  const packages = readdirSync(path.join(root, 'packages'))
    .sort()
    .map((name) => `packages/${name}/README.md`)
    .filter((file) => existsSync(path.join(root, file)));
  return ['README.md', ...docs, ...packages];
}

function extractBlocks(file: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  let open: { indent: number; fence: string; lang: string; line: number; body: string[] } | undefined;
  readFileSync(path.join(root, file), 'utf8')
    .split('\n')
    .forEach((text, index) => {
      if (open === undefined) {
        const fence = /^( *)(`{3,}|~{3,})\s*([\w+-]*)/.exec(text);
        if (fence) open = { indent: fence[1].length, fence: fence[2], lang: fence[3], line: index + 1, body: [] };
        return;
      }
      if (text.trim().startsWith(open.fence) && text.trim().replaceAll(open.fence[0], '') === '') {
        blocks.push({ file, line: open.line, lang: open.lang, code: open.body.join('\n') });
        open = undefined;
        return;
      }
      const indent = Math.min(open.indent, text.length - text.trimStart().length);
      open.body.push(text.slice(indent));
    });
  if (open !== undefined) throw new Error(`${file}:${open.line}: a code fence is never closed`);
  return blocks;
}

const blocks = docFiles().flatMap(extractBlocks);

/** The command lines of an sh block: every line but blank ones and whole-line comments. */
function commandLines(block: CodeBlock): string[] {
  return block.code.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
}

// ---------------------------------------------------------------------------------------------
// What is run, and what is not

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface ModuleRun extends Run {
  /** The arguments of each console.log call, in order. */
  readonly logs: unknown[][];
}

/** A whole block: run (as a module, or by `run`), or listed as not runnable with the reason. */
type BlockPlan = { readonly file: string; readonly match: string } & (
  | { readonly check?: (run: ModuleRun) => void; readonly run?: (block: CodeBlock) => Promise<void> }
  | {
      readonly skip: string;
      /** What the test checks instead. */
      readonly verify?: (block: CodeBlock) => void;
      /** Typechecked against the built packages' types (DOM, no Node types), after these declarations. */
      readonly typecheck?: { readonly declare?: string };
    }
);

/** One command line of an sh block: run through sh -c, or listed as not runnable. */
type LinePlan = { readonly file: string; readonly match: string } & (
  | {
      /** The command as run, when not the line as written (only ever a prefix that cannot run here taken off). */
      readonly command?: (line: string) => string;
      /** A server: started in the background, kept up for the block's later lines, then stopped with SIGTERM. */
      readonly serve?: true;
      readonly check?: (run: Run, folder: string) => void | Promise<void>;
    }
  | { readonly skip: string }
);

const noRegistry = 'installs from the npm registry (no network here); tests/release installs the packed tarballs into a fresh project';
const training = "trains a model: Python, PyTorch, and the project's corpus, which is not in the repository (and hours of CPU)";
const browserOnly = 'browser code (a Web Worker, a page-relative model URL): not run in Node; typechecked against the built packages';

const blockPlans: BlockPlan[] = [
  // README.md
  {
    file: 'README.md',
    match: "createFillMask({ model: 'distilbert/distilroberta-base' })",
    check: ({ logs }) => expectPredictions(logs[0]?.[0], 3, 'Paris is the', 'of France.'),
  },
  { file: 'README.md', match: 'createOnnxBackend({ sessionOptions' },
  {
    file: 'README.md',
    match: 'createWorkerFillMask',
    skip: browserOnly,
    typecheck: {},
    verify: (block) => expectSameWorkerSetupAsExample(block),
  },
  { file: 'README.md', match: 'createScorer' },

  // docs/
  {
    file: 'docs/adding-a-backend.md',
    match: 'interface ModelBackendV1',
    skip: 'an excerpt of the contract, not a program: checked against its declaration in @fillmask/core',
    verify: (block) => expectDeclaredInCore(block),
  },
  {
    file: 'docs/adding-a-backend.md',
    match: 'createUniformBackend',
    check: ({ logs }) => {
      const masks = logs[0]?.[0] as unknown[];
      expect(masks).toHaveLength(1);
      expectPredictions(masks[0], 2);
      // Every logit 0: every token of tiny-bert-uncased's 30,522 gets the same score.
      for (const prediction of masks[0] as Array<{ score: number }>) expect(prediction.score).toBeCloseTo(1 / 30_522, 12);
    },
  },
  {
    file: 'docs/adding-a-backend.md',
    match: 'interface ServiceBackendV1',
    skip: 'an excerpt of the contract, not a program: checked against its declaration in @fillmask/core',
    verify: (block) => expectDeclaredInCore(block),
  },
  {
    file: 'docs/adding-a-backend.md',
    match: 'describeBackendConformance',
    skip: 'a vitest file beside its backend (./create-onnx-backend.js): it is the start of packages/backend-onnx/src/onnx-backend-conformance.test.ts',
    verify: (block) => expect(read('packages/backend-onnx/src/onnx-backend-conformance.test.ts')).toContain(block.code.trim()),
  },
  { file: 'docs/architecture.md', match: '@fillmask/backend-onnx ──', skip: 'a dependency diagram, not code' },
  {
    file: 'docs/behaviour.md',
    match: 'toPipelineOutput',
    check: ({ logs }) => expectPredictions(logs[0]?.[0], 5, 'Paris is the', 'of France.'),
  },
  { file: 'docs/models.md', match: '@fillmask/model-mini-en' },
  {
    file: 'docs/scoring.md',
    match: 'createScorer',
    check: ({ logs }) => {
      const progress = logs.slice(0, -1).map((args) => args[0]);
      expect(progress.length).toBeGreaterThan(0);
      for (const report of progress) expect(report).toEqual({ completed: expect.any(Number), total: 2 });
      expectCorpusScore(logs.at(-1)?.[0]);
    },
  },

  // packages/*/README.md
  { file: 'packages/backend-onnx/README.md', match: 'createOnnxBackend' },
  { file: 'packages/backend-remote/README.md', match: 'createRemoteBackend', run: (block) => runWithServe(block) },
  {
    file: 'packages/backend-web/README.md',
    match: "model: '/models/bert-base-uncased/', backend: createWebBackend()",
    skip: browserOnly,
    typecheck: {},
  },
  {
    file: 'packages/backend-web/README.md',
    match: '// fill-mask-worker.js',
    skip: browserOnly,
    typecheck: {},
    verify: (block) => expectSameWorkerSetupAsExample(block),
  },
  {
    file: 'packages/backend-web/README.md',
    match: '// main.js',
    skip: browserOnly,
    typecheck: {
      // The names the snippet leaves to the reader.
      declare:
        'declare const manyInputs: string[]; declare const signal: AbortSignal; declare const onProgress: (progress: unknown) => void;',
    },
    verify: (block) => expectSameWorkerSetupAsExample(block),
  },
  {
    file: 'packages/backend-web/README.md',
    match: '// vite.config.js',
    skip: 'a Vite config: checked against examples/browser/vite.config.ts, which the browser tests build',
    verify: (block) => expectSettingsOf(block, 'examples/browser/vite.config.ts'),
  },
  { file: 'packages/core/README.md', match: "createFillMask({ model: 'distilbert/distilroberta-base' })" },
  { file: 'packages/core/README.md', match: 'createScorer' },
  { file: 'packages/model-mini-en-biomed/README.md', match: "import { modelPath } from '@fillmask/model-mini-en-biomed'" },
  { file: 'packages/model-mini-en-biomed/README.md', match: 'pretokenize.mjs', skip: training },
  {
    file: 'packages/model-mini-en/README.md',
    match: '> She opened the <mask> and walked in.',
    skip: 'the output of the command above it: compared with what that command prints',
  },
  { file: 'packages/model-mini-en/README.md', match: "import { modelPath } from '@fillmask/model-mini-en'" },
  { file: 'packages/model-mini-en/README.md', match: 'pretokenize.mjs', skip: training },
  {
    file: 'packages/model-mini-en/README.md',
    match: 'examples/domain-adaptation/measure.mjs',
    skip: "needs the project's evaluation corpus (<corpus>/eval), which is not in the repository",
  },
  { file: 'packages/server/README.md', match: 'createFillMaskServer', run: (block) => runServerModule(block) },
  { file: 'packages/server/README.md', match: 'upstream fillmask', skip: 'an nginx configuration' },
  { file: 'packages/server/README.md', match: 'FROM node:20-slim', skip: 'a Dockerfile: needs docker and the npm registry' },
  {
    file: 'packages/server/README.md',
    match: 'endpoints.huggingface.cloud',
    skip: "calls an Inference Endpoint (a placeholder URL, the network), with the imports of the package's first snippet",
  },
];

const linePlans: LinePlan[] = [
  // README.md
  {
    file: 'README.md',
    match: 'npm install && npx fillmask "She opened the <mask> and walked in."',
    // The workspace this test runs in is that install.
    command: (line) => withoutPrefix(line, 'npm install && '),
    check: expectDocumentedMiniEnTable,
  },
  { file: 'README.md', match: 'npm install && npm test', skip: 'builds and runs every test, this one among them' },
  { file: 'README.md', match: 'npm install @fillmask/core @fillmask/backend-onnx', skip: noRegistry },
  { file: 'README.md', match: 'npx fillmask serve -m distilbert/distilroberta-base --port 8080', serve: true },
  { file: 'README.md', match: 'curl -s localhost:8080', check: expectCurlAnswer },
  { file: 'README.md', match: 'npx fillmask -m distilbert/distilroberta-base -k 3 --json', check: expectJsonPredictions(3) },
  { file: 'README.md', match: 'npx fillmask -f sentences.txt --jsonl > predictions.jsonl', check: expectPredictionsFile },
  { file: 'README.md', match: 'npx fillmask score -f corpus.txt --jsonl | tail -n 1', check: expectJsonlSummary },
  { file: 'README.md', match: 'npx fillmask eval -f sentences.txt', check: expectEvalTable(0) },

  // docs/cli.md
  { file: 'docs/cli.md', match: 'npx fillmask "Paris is the <mask> of France."', check: expectFillTable(1, 5) },
  { file: 'docs/cli.md', match: 'npx fillmask -m distilbert/distilroberta-base -k 3 --json', check: expectJsonPredictions(3) },
  { file: 'docs/cli.md', match: 'npx fillmask -t', check: expectFillTable(1, 2) },
  { file: 'docs/cli.md', match: 'npx fillmask -f sentences.txt --jsonl > predictions.jsonl', check: expectPredictionsFile },
  { file: 'docs/cli.md', match: 'npx fillmask serve -m distilbert/distilroberta-base --port 8080', serve: true },
  { file: 'docs/cli.md', match: 'curl -s localhost:8080', check: expectCurlAnswer },
  { file: 'docs/cli.md', match: 'npx fillmask score "She opened the door', check: expectScoreTable(2) },
  { file: 'docs/cli.md', match: 'npx fillmask score -f corpus.txt --jsonl | tail -n 1', check: expectJsonlSummary },
  { file: 'docs/cli.md', match: 'npx fillmask score -m ./my-model --mode word-l2r --per-token --jsonl', check: expectPerTokenScores },
  { file: 'docs/cli.md', match: 'npx fillmask eval -f sentences.txt', check: expectEvalTable(0) },
  {
    file: 'docs/cli.md',
    match: 'npx fillmask eval -m ./my-model --seed 7 --jsonl -f sentences.txt | tail -n 1',
    check: expectEvalSummary(7),
  },

  // docs/scoring.md
  { file: 'docs/scoring.md', match: 'npx fillmask score "She opened the door', check: expectScoreTable(2) },
  { file: 'docs/scoring.md', match: 'npx fillmask score -f corpus.txt --jsonl | tail -n 1', check: expectJsonlSummary },
  { file: 'docs/scoring.md', match: 'npx fillmask eval -f sentences.txt --seed 0', check: expectEvalTable(0) },

  // packages/*/README.md
  { file: 'packages/backend-onnx/README.md', match: 'npm install', skip: noRegistry },
  { file: 'packages/backend-remote/README.md', match: 'npm install', skip: noRegistry },
  { file: 'packages/backend-web/README.md', match: 'npm install', skip: noRegistry },
  { file: 'packages/cli/README.md', match: 'npx @fillmask/cli "She opened the <mask> and walked in."', check: expectDocumentedMiniEnTable },
  {
    file: 'packages/cli/README.md',
    match: 'npm install -g @fillmask/cli && fillmask -m distilbert/distilroberta-base -k 3 --json',
    // The global install needs the registry; `fillmask` is the workspace's CLI here.
    command: (line) => withoutPrefix(line, 'npm install -g @fillmask/cli && '),
    check: expectJsonPredictions(3),
  },
  { file: 'packages/core/README.md', match: 'npm install', skip: noRegistry },
  {
    file: 'packages/model-mini-en-biomed/README.md',
    match: 'npx fillmask score -m node_modules/@fillmask/model-mini-en-biomed',
    check: expectScoreTable(1),
  },
  {
    file: 'packages/model-mini-en/README.md',
    match: 'npx fillmask "She opened the <mask> and walked in."',
    check: expectDocumentedMiniEnTable,
  },
  { file: 'packages/server/README.md', match: 'npm install', skip: noRegistry },
];

function withoutPrefix(line: string, prefix: string): string {
  if (!line.startsWith(prefix)) throw new Error(`Expected "${line}" to start with "${prefix}"`);
  return line.slice(prefix.length);
}

/** Which plan each block (or sh line) has, and what is wrong with the lists. */
function assignPlans(): {
  blockPlanOf: Map<CodeBlock, BlockPlan>;
  linePlansOf: Map<CodeBlock, Array<{ line: string; plan: LinePlan }>>;
  problems: string[];
} {
  const problems: string[] = [];
  const blockPlanOf = new Map<CodeBlock, BlockPlan>();
  const linePlansOf = new Map<CodeBlock, Array<{ line: string; plan: LinePlan }>>();
  const blockUses = new Map<BlockPlan, number>(blockPlans.map((plan) => [plan, 0]));
  const lineUses = new Map<LinePlan, number>(linePlans.map((plan) => [plan, 0]));
  for (const block of blocks) {
    const where = `${block.file}:${block.line} (${block.lang || 'no language'})`;
    const matching = blockPlans.filter((plan) => plan.file === block.file && block.code.includes(plan.match));
    for (const plan of matching) blockUses.set(plan, blockUses.get(plan)! + 1);
    if (matching.length > 1) problems.push(`${where} matches several block plans: ${matching.map((plan) => plan.match).join(' | ')}`);
    if (matching.length === 1) {
      blockPlanOf.set(block, matching[0]);
      continue;
    }
    if (block.lang !== 'sh') {
      problems.push(`${where} is neither run nor listed as not runnable: ${firstLine(block.code)}`);
      continue;
    }
    const lines: Array<{ line: string; plan: LinePlan }> = [];
    for (const line of commandLines(block)) {
      const plans = linePlans.filter((plan) => plan.file === block.file && line.includes(plan.match));
      for (const plan of plans) lineUses.set(plan, lineUses.get(plan)! + 1);
      if (plans.length === 1) lines.push({ line, plan: plans[0] });
      else if (plans.length === 0) problems.push(`${where}: the command \`${line}\` is neither run nor listed as not runnable`);
      else problems.push(`${where}: the command \`${line}\` matches several line plans: ${plans.map((plan) => plan.match).join(' | ')}`);
    }
    linePlansOf.set(block, lines);
  }
  for (const [plan, uses] of blockUses) {
    if (uses !== 1) problems.push(`the block plan "${plan.match}" of ${plan.file} matches ${uses} blocks, not 1`);
  }
  for (const [plan, uses] of lineUses) {
    if (uses !== 1) problems.push(`the line plan "${plan.match}" of ${plan.file} matches ${uses} command lines, not 1`);
  }
  return { blockPlanOf, linePlansOf, problems };
}

function firstLine(code: string): string {
  return code.split('\n').find((line) => line.trim() !== '') ?? '';
}

const { blockPlanOf, linePlansOf, problems } = assignPlans();

// ---------------------------------------------------------------------------------------------
// The environment the blocks run in

let hub: HubServer;
let scratch: string;
/** Inside the repository, so that the modules' `@fillmask/*` imports resolve to the workspace. */
let modules: string;
/** The sh lines' working folder. */
let work: string;
let port: number;
let env: NodeJS.ProcessEnv;
const shellRuns = new Map<string, Promise<Run>>();

beforeAll(async () => {
  const missing = ['core', 'onnx', 'backend-onnx', 'backend-remote', 'backend-web', 'server', 'cli', 'model-mini-en'].filter(
    (name) => !existsSync(path.join(root, 'packages', name, 'dist', name === 'cli' ? 'bin.js' : 'index.js')),
  );
  if (missing.length > 0) throw new Error(`packages/{${missing.join(',')}}/dist is missing: run "npm run build" first.`);

  hub = await startHubServer({ repos: Object.fromEntries(Object.entries(hubRepos).map(([id, folder]) => [id, { folder }])) });
  scratch = await mkdtemp(path.join(tmpdir(), 'fillmask-docs-'));
  await mkdir(path.join(root, 'node_modules/.cache'), { recursive: true });
  modules = await mkdtemp(path.join(root, 'node_modules/.cache/fillmask-docs-snippets-'));
  work = path.join(scratch, 'work');
  const bin = path.join(scratch, 'bin');
  await mkdir(work);
  await mkdir(bin);
  port = await freePort();

  // `npx fillmask` and `npx @fillmask/cli` as they resolve in this repository (its node_modules/.bin),
  // `fillmask` as a global install would; anything else npx or npm would fetch is refused.
  const node = JSON.stringify(process.execPath);
  const cli = JSON.stringify(cliBin);
  await writeScript(
    path.join(bin, 'npx'),
    `case "$1" in\n  fillmask|@fillmask/cli) shift; exec ${node} ${cli} "$@" ;;\nesac\necho "docs-snippets: npx $1 is not run here" >&2\nexit 127\n`,
  );
  await writeScript(path.join(bin, 'fillmask'), `exec ${node} ${cli} "$@"\n`);
  await writeScript(path.join(bin, 'npm'), 'echo "docs-snippets: npm $* is not run here" >&2\nexit 127\n');

  await writeFile(path.join(work, 'sentences.txt'), `${sentences.join('\n')}\n`);
  await writeFile(path.join(work, 'corpus.txt'), `${corpus.join('\n')}\n`);
  // A model folder of your own, in the Hub layout.
  await symlink(fixtureModelPath('tiny-bert-uncased'), path.join(work, 'my-model'));
  // As installed in a project of the reader's.
  await mkdir(path.join(work, 'node_modules/@fillmask'), { recursive: true });
  await symlink(path.join(root, 'packages/model-mini-en-biomed'), path.join(work, 'node_modules/@fillmask/model-mini-en-biomed'));

  await writeFile(path.join(modules, 'record-console.mjs'), recordConsole);

  const inherited = Object.entries(process.env).filter(
    ([name]) => !/^(HF_|HUGGING_?FACE|FILLMASK_|XDG_CACHE_HOME$|DEBUG$|NODE_OPTIONS$)/.test(name),
  );
  env = {
    ...Object.fromEntries(inherited),
    PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
    HF_ENDPOINT: hub.url,
    HF_HOME: path.join(scratch, 'hf-home'),
    FILLMASK_CACHE: path.join(scratch, 'fillmask-cache'),
    XDG_CACHE_HOME: path.join(scratch, 'xdg-cache'),
  };
});

afterAll(async () => {
  await hub?.close();
  if (modules) await rm(modules, { recursive: true, force: true });
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function writeScript(file: string, body: string): Promise<void> {
  await writeFile(file, `#!/bin/sh\n${body}`);
  await chmod(file, 0o755);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The docs' port, 8080, becomes the free one. */
function onFreePort(text: string): string {
  return text.replace(/\b8080\b/g, String(port));
}

/** Preloaded into each module (node --import): console.log's arguments, one JSON line per call. */
const recordConsole = `import { appendFileSync } from 'node:fs';
const file = process.env.DOCS_SNIPPET_CONSOLE;
const log = console.log.bind(console);
console.log = (...args) => {
  let line;
  try { line = JSON.stringify(args); } catch { line = JSON.stringify(args.map(String)); }
  appendFileSync(file, line + '\\n');
  log(...args);
};
`;

function read(file: string): string {
  return readFileSync(path.join(root, file), 'utf8');
}

// ---------------------------------------------------------------------------------------------
// Running

interface Started {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  readonly exited: Promise<Run>;
}

function start(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Started {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (chunk) => (output.stdout += chunk));
  child.stderr!.on('data', (chunk) => (output.stderr += chunk));
  const exited = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, ...output }));
  });
  return { child, output, exited };
}

/** Runs to the end, killed after `timeoutMs`. */
async function runToEnd(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
  timeoutMs = 90_000,
): Promise<Run> {
  const started = start(command, args, options);
  const timer = setTimeout(() => started.child.kill('SIGKILL'), timeoutMs);
  try {
    return await started.exited;
  } finally {
    clearTimeout(timer);
  }
}

function describeRun(label: string, run: Run): string {
  return `${label}: exit ${run.code ?? run.signal}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
}

function expectClean(label: string, run: Run): void {
  expect(run.code, describeRun(label, run)).toBe(0);
  expect(run.stderr, describeRun(label, run)).toBe('');
}

function moduleName(block: CodeBlock): string {
  return `${block.file.replace(/[^\w]+/g, '-')}-${block.line}.mjs`;
}

async function startModule(block: CodeBlock): Promise<{ started: Started; logs: () => Promise<unknown[][]> }> {
  const file = path.join(modules, moduleName(block));
  const consoleFile = `${file}.console.jsonl`;
  await writeFile(file, onFreePort(block.code));
  await rm(consoleFile, { force: true });
  const preload = pathToFileURL(path.join(modules, 'record-console.mjs')).href;
  const started = start(process.execPath, ['--import', preload, file], {
    cwd: modules,
    env: { ...env, DOCS_SNIPPET_CONSOLE: consoleFile },
  });
  const logs = async (): Promise<unknown[][]> => {
    const text = await readFile(consoleFile, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as unknown[]);
  };
  return { started, logs };
}

async function runModule(block: CodeBlock): Promise<ModuleRun> {
  const { started, logs } = await startModule(block);
  const timer = setTimeout(() => started.child.kill('SIGKILL'), 90_000);
  try {
    const run = await started.exited;
    return { ...run, logs: await logs() };
  } finally {
    clearTimeout(timer);
  }
}

/** Polls until `url` answers 200, or fails when the process serving it exits first. */
async function waitForOk(url: string, server: Started, timeoutMs = 60_000): Promise<void> {
  let exited: Run | undefined;
  void server.exited.then((run) => (exited = run));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error(describeRun(`the server exited before ${url} answered`, exited));
    const status = await fetch(url).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

/** SIGTERM, then the exit status: a server stops gracefully with 0. */
async function stop(server: Started, label: string): Promise<Run> {
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 20_000);
  try {
    const run = await server.exited;
    expect(run.code, describeRun(`${label} after SIGTERM`, run)).toBe(0);
    return run;
  } finally {
    clearTimeout(timer);
  }
}

/** `fillmask serve` of a line (`exec`, so that the signal reaches the server itself). */
async function startServe(command: string): Promise<Started> {
  const server = start('sh', ['-c', `exec ${command}`], { cwd: work, env });
  await waitForOk(`http://127.0.0.1:${port}/health`, server);
  return server;
}

function expectServeStderr(run: Run): void {
  // Its status lines (loading, serving, shutting down, stopped) and nothing else.
  const lines = run.stderr.split('\n').filter((line) => line !== '');
  expect(lines.length, describeRun('fillmask serve', run)).toBeGreaterThan(0);
  for (const line of lines)
    expect(line, describeRun('fillmask serve', run)).toMatch(/^fillmask serve: (loading|serving|shutting down|stopped)/);
}

/** A module that needs a `fillmask serve` at 8080 (the free port): one runs for it. */
async function runWithServe(block: CodeBlock): Promise<void> {
  const server = await startServe(
    `${JSON.stringify(process.execPath)} ${JSON.stringify(cliBin)} serve -q -m distilbert/distilroberta-base --port ${port}`,
  );
  try {
    expectClean(block.file, await runModule(block));
  } finally {
    expectServeStderr(await stop(server, 'fillmask serve'));
  }
}

/** A module that starts a server: it prints its URL, answers a request, and closes on SIGTERM. */
async function runServerModule(block: CodeBlock): Promise<void> {
  const { started, logs } = await startModule(block);
  const url = `http://127.0.0.1:${port}`;
  let run: Run | undefined;
  try {
    await waitForOk(`${url}/health`, started);
    const response = await fetch(url, { method: 'POST', body: JSON.stringify({ inputs: 'Paris is the <mask> of France.' }) });
    expect(response.status).toBe(200);
    expectPredictions(await response.json(), 5, 'Paris is the', 'of France.');
  } finally {
    run = await stop(started, block.file);
  }
  expect(run.stderr, describeRun(block.file, run)).toBe('');
  const logged = await logs();
  // `console.log(await server.listen(...))` prints the URL; then one access log entry per request.
  expect(logged[0]).toEqual([url]);
  const entries = logged.slice(1).map((args) => JSON.parse(args[0] as string) as { method: string; path: string; status: number });
  expect(entries.at(-1)).toMatchObject({ method: 'POST', path: '/', status: 200 });
}

async function runShellLine(command: string): Promise<Run> {
  // The same command in several docs runs once.
  let run = shellRuns.get(command);
  if (run === undefined) {
    run = runToEnd('sh', ['-c', command], { cwd: work, env });
    shellRuns.set(command, run);
  }
  return run;
}

async function runShellBlock(lines: Array<{ line: string; plan: LinePlan }>): Promise<void> {
  let server: Started | undefined;
  try {
    for (const { line, plan } of lines) {
      if ('skip' in plan) continue;
      const command = onFreePort(plan.command?.(line) ?? line);
      if (plan.serve) {
        server = await startServe(command);
        continue;
      }
      const run = server === undefined ? await runShellLine(command) : await runToEnd('sh', ['-c', command], { cwd: work, env });
      expectClean(command, run);
      await plan.check?.(run, work);
    }
  } finally {
    if (server) expectServeStderr(await stop(server, 'fillmask serve'));
  }
}

// ---------------------------------------------------------------------------------------------
// What the output must look like (a tiny random model answers nonsense: shapes, not words)

interface Prediction {
  score: number;
  token: number;
  token_str: string;
  sequence: string;
}

function expectPredictions(value: unknown, count: number, sequenceStart?: string, sequenceEnd?: string): void {
  expect(Array.isArray(value), JSON.stringify(value)).toBe(true);
  const predictions = value as Prediction[];
  expect(predictions).toHaveLength(count);
  for (const prediction of predictions) {
    expect(Object.keys(prediction).sort()).toEqual(['score', 'sequence', 'token', 'token_str']);
    expect(prediction.score).toBeGreaterThan(0);
    expect(prediction.score).toBeLessThanOrEqual(1);
    expect(Number.isInteger(prediction.token)).toBe(true);
    expect(typeof prediction.token_str).toBe('string');
    expect(typeof prediction.sequence).toBe('string');
    if (sequenceStart !== undefined) expect(prediction.sequence.startsWith(sequenceStart), prediction.sequence).toBe(true);
    if (sequenceEnd !== undefined) expect(prediction.sequence.endsWith(sequenceEnd), prediction.sequence).toBe(true);
  }
  const scores = predictions.map((prediction) => prediction.score);
  expect(scores).toEqual([...scores].sort((a, b) => b - a));
}

function expectCorpusScore(value: unknown): void {
  expect(value).toEqual({ pll: expect.any(Number), tokens: expect.any(Number), pppl: expect.any(Number) });
  const { pll, tokens, pppl } = value as { pll: number; tokens: number; pppl: number };
  expect(pll).toBeLessThan(0);
  expect(tokens).toBeGreaterThan(0);
  expect(pppl).toBeCloseTo(Math.exp(-pll / tokens), 6);
}

/** The table packages/model-mini-en/README.md shows for `npx fillmask "She opened the <mask> and walked in."`. */
function expectDocumentedMiniEnTable(run: Run): void {
  const documented = blocks.find((block) => block.file === 'packages/model-mini-en/README.md' && block.code.startsWith('> She opened'));
  expect(documented).toBeDefined();
  expect(run.stdout).toBe(`${documented!.code}\n`);
}

function expectFillTable(inputs: number, rows: number): (run: Run) => void {
  return ({ stdout }) => {
    const lines = stdout.trimEnd().split('\n');
    expect(lines, stdout).toHaveLength(inputs * (2 + rows));
    expect(lines[0]).toMatch(/^> /);
    expect(lines[1]).toMatch(/^\s+#\s+token\s+score\s+sequence$/);
    for (const row of lines.slice(2, 2 + rows)) expect(row).toMatch(/^\s+\d+\s+".*"\s+\d+\.\d\d%\s+\S/);
  };
}

function expectJsonPredictions(count: number): (run: Run) => void {
  return ({ stdout }) => expectPredictions(JSON.parse(stdout), count);
}

async function expectPredictionsFile(_run: Run, folder: string): Promise<void> {
  const lines = (await readFile(path.join(folder, 'predictions.jsonl'), 'utf8')).trimEnd().split('\n');
  expect(lines).toHaveLength(sentences.length);
  for (const line of lines) expectPredictions(JSON.parse(line), 5);
}

function expectJsonlSummary({ stdout }: Run): void {
  const lines = stdout.trimEnd().split('\n');
  expect(lines, stdout).toHaveLength(1);
  expectCliSummary(JSON.parse(lines[0]), corpus.length);
}

/** `fillmask score --jsonl`'s last line: the corpus's score and the number of texts. */
function expectCliSummary(line: unknown, texts: number): void {
  const { summary } = line as { summary: { texts: number } };
  const { texts: counted, ...score } = summary;
  expect(counted).toBe(texts);
  expectCorpusScore(score);
}

function expectScoreTable(texts: number): (run: Run) => void {
  return ({ stdout }) => {
    const lines = stdout.trimEnd().split('\n');
    expect(lines, stdout).toHaveLength(texts + 2);
    expect(lines[0]).toMatch(/^\s+PLL\s+tokens\s+PPPL\s+text$/);
    for (const row of lines.slice(1, -1)) expect(row).toMatch(/^\s+-\d+\.\d{3}\s+\d+\s+\d+\.\d\d\s+\S/);
    expect(lines.at(-1)).toMatch(new RegExp(`^\\s+-\\d+\\.\\d{3}\\s+\\d+\\s+\\d+\\.\\d\\d\\s+\\(all ${texts} texts?\\)$`));
  };
}

function expectPerTokenScores({ stdout }: Run): void {
  const [text, summary, ...rest] = stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(rest).toEqual([]);
  expect(text).toEqual({ pll: expect.any(Number), tokens: expect.any(Number), pppl: expect.any(Number), perToken: expect.any(Array) });
  expect(text.perToken).toHaveLength(text.tokens as number);
  for (const token of text.perToken as unknown[]) {
    expect(token).toEqual({
      token: expect.any(String),
      id: expect.any(Number),
      position: expect.any(Number),
      logProbability: expect.any(Number),
    });
  }
  expectCliSummary(summary, 1);
}

function expectEvalTable(seed: number): (run: Run) => void {
  return ({ stdout }) => {
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0], stdout).toMatch(/^top1\s+top5\s+word\s+predictions\s+text$/);
    expect(lines.at(-1)).toMatch(new RegExp(`^top-1 \\d+(\\.\\d+)?%  top-5 \\d+(\\.\\d+)?%  over \\d+ sentences .*, seed ${seed}$`));
    // One row per sentence, plus the header and the summary.
    expect(lines).toHaveLength(sentences.length + 2);
  };
}

function expectEvalSummary(seed: number): (run: Run) => void {
  return ({ stdout }) => {
    const lines = stdout.trimEnd().split('\n');
    expect(lines, stdout).toHaveLength(1);
    expect(JSON.parse(lines[0])).toEqual({
      summary: {
        sentences: sentences.length,
        evaluated: expect.any(Number),
        skipped: expect.any(Number),
        top1: expect.any(Number),
        top5: expect.any(Number),
        seed,
      },
    });
  };
}

function expectCurlAnswer({ stdout }: Run): void {
  expectPredictions(JSON.parse(stdout), 2, 'Paris is the', 'of France.');
}

// ---------------------------------------------------------------------------------------------
// Checks of the blocks that are not run

/** Each member line of an interface excerpt is a member of that interface in core's contract. */
function expectDeclaredInCore(block: CodeBlock): void {
  const [first, ...members] = block.code.trim().split('\n');
  const name = /^interface (\w+) \{$/.exec(first)?.[1];
  expect(name, first).toBeDefined();
  const source = read('packages/core/src/backend/fill-mask-backend-v1.ts');
  const body = new RegExp(`export interface ${name} \\{\\n([\\s\\S]*?)\\n\\}`).exec(source)?.[1];
  expect(body, `${name} in fill-mask-backend-v1.ts`).toBeDefined();
  const normalize = (line: string): string =>
    line
      .replace(/\/\/.*$/, '')
      .replace(/\s+/g, ' ')
      .trim();
  const declared = body!.split('\n').map(normalize);
  for (const member of members.map(normalize).filter((line) => line !== '' && line !== '}')) expect(declared).toContain(member);
}

/** Each `name: value` setting of a config excerpt appears in that file. */
function expectSettingsOf(block: CodeBlock, file: string): void {
  const settings = block.code
    .split('\n')
    .map((line) => line.replace(/\/\/.*$/, '').trim())
    .filter((line) => /^\w+: /.test(line));
  expect(settings.length).toBeGreaterThan(0);
  const source = read(file);
  for (const setting of settings) expect(source).toContain(setting);
}

/** The worker setup of a browser snippet is that of examples/browser, which the browser tests run in Chromium. */
function expectSameWorkerSetupAsExample(block: CodeBlock): void {
  const worker = read('examples/browser/src/fill-mask-worker.ts');
  const page = read('examples/browser/src/open-fill-mask.ts');
  if (block.code.includes('serveFillMask')) {
    expect(worker).toContain("import { serveFillMask } from '@fillmask/backend-web';");
    expect(worker).toContain('\nserveFillMask();');
  }
  const created = /new Worker\(new URL\('\.\/fill-mask-worker\.js', import\.meta\.url\), \{ type: 'module' \}\)/.exec(block.code);
  if (block.code.includes('new Worker')) {
    expect(created, block.code).not.toBeNull();
    expect(page).toContain(created![0].replace('.js', '.ts'));
  }
  if (block.code.includes('createWorkerFillMask')) expect(page).toMatch(/createWorkerFillMask\(\{ worker, model: /);
}

/** The browser snippets against the built packages' types, with the DOM's and without Node's. */
async function typecheckBrowserBlocks(entries: Array<{ block: CodeBlock; declare?: string }>): Promise<void> {
  const folder = await mkdtemp(path.join(modules, 'typecheck-'));
  for (const { block, declare } of entries) {
    const name = moduleName(block);
    await writeFile(path.join(folder, name), block.code);
    if (declare !== undefined) await writeFile(path.join(folder, name.replace(/\.mjs$/, '.globals.d.ts')), `${declare}\n`);
  }
  const config = {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2022', 'DOM'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      allowJs: true,
      checkJs: true,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
    },
    include: ['*.mjs', '*.d.ts'],
  };
  await writeFile(path.join(folder, 'tsconfig.json'), JSON.stringify(config));
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  const run = await runToEnd(process.execPath, [tsc, '-p', folder], { cwd: folder, env });
  expect(run.code, describeRun('tsc on the browser snippets', run)).toBe(0);
}

// ---------------------------------------------------------------------------------------------
// The tests

describe('the code blocks of the docs', () => {
  it('are each run or listed as not runnable here', () => {
    expect(blocks.length).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });

  for (const block of blocks) {
    const where = `${block.file}:${block.line} (${block.lang || 'no language'})`;
    const plan = blockPlanOf.get(block);
    if (plan !== undefined && 'skip' in plan) {
      if (plan.verify) it(`${where} is not run (${plan.skip}), but checked`, () => plan.verify!(block));
      continue;
    }
    if (plan !== undefined) {
      it(`${where} runs: ${firstLine(block.code)}`, async () => {
        if (plan.run) return plan.run(block);
        const run = await runModule(block);
        expectClean(where, run);
        plan.check?.(run);
      }, 120_000);
      continue;
    }
    const lines = linePlansOf.get(block) ?? [];
    if (lines.some(({ plan }) => !('skip' in plan))) {
      const runnable = lines.filter(({ plan }) => !('skip' in plan)).map(({ line }) => line.split('  ')[0]);
      it(`${where} runs: ${runnable.join('; ')}`, () => runShellBlock(lines), 120_000);
    }
  }

  const typechecked = blocks.flatMap((block) => {
    const plan = blockPlanOf.get(block);
    return plan !== undefined && 'skip' in plan && plan.typecheck ? [{ block, declare: plan.typecheck.declare }] : [];
  });
  it(
    `the browser snippets typecheck (${typechecked.map(({ block }) => `${block.file}:${block.line}`).join(', ')})`,
    () => typecheckBrowserBlocks(typechecked),
    60_000,
  );

  it("read the docs' Hub ids from the test Hub", () => {
    const downloaded = hub.requests.flatMap((request) => /^\/(.+)\/resolve\//.exec(request.path)?.[1] ?? []);
    expect(new Set(downloaded)).toEqual(new Set(Object.keys(hubRepos)));
  });
});
