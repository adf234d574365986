import { rm, stat } from 'node:fs/promises';
import { openModel } from '@fillmask/core';
import type { CliCommand } from '../cli-command.js';
import type { CliStreams } from '../cli-streams.js';
import { describeError } from '../describe-error.js';
import { hubCacheDir } from '../hub-cache/hub-cache-dir.js';
import { applyPrune, planPrune } from '../hub-cache/prune-hub-cache.js';
import { scanHubCache, type CachedRepo } from '../hub-cache/scan-hub-cache.js';
import { verifyHubCache, type DamagedBlob } from '../hub-cache/verify-hub-cache.js';
import { parseCommandLine } from '../parse-command-line.js';
import { UsageError } from '../usage-error.js';
import { cacheHelp } from './cache-help.js';

/** `fillmask cache list|verify|prune`: the Hub cache, in huggingface_hub's layout. */
export const cacheCommand: CliCommand = {
  name: 'cache',
  summary: 'list, verify (--fix) and prune the Hugging Face Hub cache',
  run: runCache,
};

const actions = ['list', 'verify', 'prune'] as const;
type Action = (typeof actions)[number];

interface CacheArguments {
  readonly action: Action | undefined;
  readonly models: readonly string[];
  readonly cacheDir: string;
  /** The folder was named with --cache-dir (rather than found from the environment): it must exist. */
  readonly cacheDirGiven: boolean;
  readonly fix: boolean;
  readonly offline: boolean;
  readonly dryRun: boolean;
  readonly json: boolean;
  readonly help: boolean;
}

function parseCacheArguments(argv: readonly string[], env: NodeJS.ProcessEnv): CacheArguments {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      'cache-dir': { type: 'string' },
      fix: { type: 'boolean', default: false },
      offline: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    { takesText: false },
  );
  const [action, ...models] = positionals;
  if (!values.help && !actions.includes(action as Action)) {
    throw new UsageError(
      action === undefined
        ? 'Say what to do: list, verify or prune.'
        : `Unknown cache action ${JSON.stringify(action)}: list, verify or prune.`,
    );
  }
  if (values.fix && action !== 'verify') throw new UsageError('--fix is for fillmask cache verify.');
  if (values['dry-run'] && action !== 'prune') throw new UsageError('--dry-run is for fillmask cache prune.');
  return {
    action: action as Action | undefined,
    models,
    cacheDir: hubCacheDir(values['cache-dir'], env),
    cacheDirGiven: values['cache-dir'] !== undefined,
    fix: values.fix!,
    offline: values.offline! || ['1', 'true', 'on', 'yes'].includes(env.HF_HUB_OFFLINE?.trim().toLowerCase() ?? ''),
    dryRun: values['dry-run']!,
    json: values.json!,
    help: values.help!,
  };
}

async function runCache(argv: readonly string[], streams: CliStreams): Promise<number> {
  let args: CacheArguments;
  try {
    args = parseCacheArguments(argv, process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    streams.stderr.write(`fillmask cache: ${error.message}\nRun fillmask cache --help for usage.\n`);
    return 2;
  }
  if (args.help) {
    streams.stdout.write(cacheHelp);
    return 0;
  }
  // A mistyped --cache-dir would otherwise read as an empty, sound cache.
  const given = args.cacheDirGiven ? await stat(args.cacheDir).catch(() => undefined) : undefined;
  if (args.cacheDirGiven && !given?.isDirectory()) {
    const what = given === undefined ? 'does not exist' : 'is a file, not a folder';
    streams.stderr.write(
      `fillmask cache: --cache-dir ${args.cacheDir} ${what}. Give the Hub cache folder (default: ${hubCacheDir(undefined, process.env)}).\n`,
    );
    return 2;
  }
  try {
    const all = await scanHubCache(args.cacheDir);
    const repos = args.models.length === 0 ? all : all.filter((repo) => args.models.includes(repo.id));
    const missing = args.models.filter((model) => !all.some((repo) => repo.id === model));
    for (const model of missing) streams.stderr.write(`fillmask cache: ${model} is not in the cache at ${args.cacheDir}.\n`);
    if (args.action === 'list') return list(repos, args, streams);
    if (args.action === 'verify') return await verify(repos, args, streams);
    return await prune(repos, args, streams);
  } catch (error) {
    streams.stderr.write(`fillmask cache: ${describeError(error)}\n`);
    return 1;
  }
}

function list(repos: readonly CachedRepo[], args: CacheArguments, streams: CliStreams): number {
  if (args.json) {
    const value = repos.map((repo) => ({
      id: repo.id,
      size: repo.size,
      lastModified: repo.lastModified?.toISOString(),
      revisions: repo.revisions.map((revision) => ({
        commit: revision.commit,
        refs: revision.refs,
        files: revision.files.length,
        size: revision.size,
      })),
      incomplete: repo.incomplete.map((file) => ({ path: file.path, size: file.size })),
    }));
    streams.stdout.write(`${JSON.stringify({ cacheDir: args.cacheDir, repos: value })}\n`);
    return 0;
  }
  streams.stdout.write(`Hub cache: ${args.cacheDir}\n`);
  if (repos.length === 0) {
    streams.stdout.write('No cached models.\n');
    return 0;
  }
  const idWidth = Math.max(5, ...repos.map((repo) => repo.id.length));
  streams.stdout.write(`${'MODEL'.padEnd(idWidth)}  ${'SIZE'.padStart(9)}  REVISIONS\n`);
  for (const repo of repos) {
    const revisions = repo.revisions.map(
      (revision) =>
        `${revision.commit.slice(0, 12)}${revision.refs.length > 0 ? ` (${revision.refs.join(', ')})` : ' (detached)'} ${revision.files.length} files ${formatBytes(revision.size)}`,
    );
    streams.stdout.write(`${repo.id.padEnd(idWidth)}  ${formatBytes(repo.size).padStart(9)}  ${revisions.join('; ') || '-'}\n`);
    for (const file of repo.incomplete) {
      streams.stdout.write(`${' '.repeat(idWidth)}  ${formatBytes(file.size).padStart(9)}  partial download ${file.path}\n`);
    }
  }
  const total = repos.reduce((sum, repo) => sum + repo.size, 0);
  streams.stdout.write(`${repos.length} model${repos.length === 1 ? '' : 's'}, ${formatBytes(total)} on disk.\n`);
  return 0;
}

async function verify(repos: readonly CachedRepo[], args: CacheArguments, streams: CliStreams): Promise<number> {
  const report = await verifyHubCache(repos);
  const repaired: string[] = [];
  const failed: { file: string; error: string }[] = [];
  if (args.fix) {
    for (const damage of report.damaged) await rm(damage.blob.path, { force: true });
    const toFetch = [
      ...report.damaged.flatMap((damage) => damage.blob.usedBy.map((use) => ({ repo: damage.repo, use }))),
      ...report.broken.map((link) => ({ repo: link.repo, use: `${link.commit}/${link.path}` })),
    ];
    for (const { repo, use } of toFetch) {
      const [commit, ...rest] = use.split('/');
      const file = rest.join('/');
      // The link to the removed blob is removed too: the download makes it again.
      await rm(`${repo.folder}/snapshots/${use}`, { force: true });
      if (args.offline) continue;
      try {
        const model = await openModel(repo.id, { revision: commit, cacheDir: args.cacheDir, onSourceWarning: () => {} });
        await model.read(file);
        repaired.push(`${repo.id}@${use}`);
      } catch (error) {
        failed.push({ file: `${repo.id}@${use}`, error: describeError(error) });
      }
    }
  }
  const ok = report.damaged.length === 0 && report.broken.length === 0;
  const fixed = args.fix && failed.length === 0 && !args.offline;
  if (args.json) {
    streams.stdout.write(
      `${JSON.stringify({
        cacheDir: args.cacheDir,
        verified: report.verified,
        unchecked: report.unchecked,
        damaged: report.damaged.map((damage) => ({
          model: damage.repo.id,
          blob: damage.blob.path,
          files: damage.blob.usedBy,
          reason: damage.reason,
        })),
        broken: report.broken.map((link) => ({ model: link.repo.id, file: `${link.commit}/${link.path}` })),
        repaired,
        failed,
      })}\n`,
    );
  } else {
    streams.stdout.write(`Verified ${report.verified} blob${report.verified === 1 ? '' : 's'} in ${args.cacheDir}`);
    streams.stdout.write(report.unchecked > 0 ? ` (${report.unchecked} with names that allow no check).\n` : '.\n');
    for (const damage of report.damaged) streams.stdout.write(`damaged: ${describeDamage(damage)}\n`);
    for (const link of report.broken) streams.stdout.write(`broken link (its blob is gone): ${link.repo.id}@${link.commit}/${link.path}\n`);
    for (const file of repaired) streams.stdout.write(`downloaded again: ${file}\n`);
    for (const { file, error } of failed) streams.stdout.write(`removed, not downloaded (the next run will): ${file}: ${error}\n`);
    if (!ok && !args.fix) streams.stdout.write('Run fillmask cache verify --fix to remove the damaged files and download them again.\n');
    if (ok) streams.stdout.write('Every blob is sound.\n');
  }
  return ok || fixed ? 0 : 1;
}

function describeDamage(damage: DamagedBlob): string {
  const files =
    damage.blob.usedBy.length === 0 ? 'no snapshot uses it' : damage.blob.usedBy.map((use) => `${damage.repo.id}@${use}`).join(', ');
  return `${damage.blob.path}: ${damage.reason} (${files})`;
}

async function prune(repos: readonly CachedRepo[], args: CacheArguments, streams: CliStreams): Promise<number> {
  const plan = await planPrune(args.cacheDir, repos);
  if (!args.dryRun) await applyPrune(plan);
  if (args.json) {
    streams.stdout.write(`${JSON.stringify({ cacheDir: args.cacheDir, dryRun: args.dryRun, ...plan })}\n`);
    return 0;
  }
  const verb = args.dryRun ? 'would remove' : 'removed';
  for (const target of plan.incomplete) streams.stdout.write(`${verb} partial download ${target}\n`);
  for (const target of plan.revisions) streams.stdout.write(`${verb} detached revision ${target}\n`);
  for (const target of plan.blobs) streams.stdout.write(`${verb} unused blob ${target}\n`);
  for (const target of plan.locks) streams.stdout.write(`${verb} abandoned lock ${target}\n`);
  const count = plan.incomplete.length + plan.revisions.length + plan.blobs.length + plan.locks.length;
  streams.stdout.write(count === 0 ? 'Nothing to prune.\n' : `${args.dryRun ? 'Would free' : 'Freed'} ${formatBytes(plan.bytes)}.\n`);
  return 0;
}

function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
