import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { createFillMask, type FillMask, type FillMaskConfig } from '@fillmask/core';
import type { CliCommand } from '../cli-command.js';
import type { CliStreams } from '../cli-streams.js';
import { describeError } from '../describe-error.js';
import { modelConfig } from '../model-flags.js';
import { UsageError } from '../usage-error.js';
import { parseServeArguments, type ServeArguments } from './serve-arguments.js';
import { serveHelp } from './serve-help.js';

/** `fillmask serve`: the model behind an HTTP server speaking the Inference API's fill-mask protocol. */
export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'serve a model over HTTP, compatible with the Hugging Face Inference API',
  run: runServe,
};

async function runServe(argv: readonly string[], streams: CliStreams): Promise<number> {
  let args: ServeArguments;
  let authToken: string | undefined;
  try {
    args = parseServeArguments(argv);
    if (args.help) {
      streams.stdout.write(serveHelp);
      return 0;
    }
    authToken = await readAuthToken(args.authTokenFile);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    streams.stderr.write(`fillmask serve: ${error.message}\nRun fillmask serve --help for usage.\n`);
    return 2;
  }
  // Loaded here, not at the top: `fillmask TEXT` never pays for the server.
  const { createFillMaskServer } = await import('@fillmask/server');
  let config: FillMaskConfig;
  try {
    // Both mask spellings work with every model (modelConfig's maskAliases); the server accepts what the FillMask does.
    config = modelConfig(args, { batches: true, serving: true });
  } catch (error) {
    streams.stderr.write(`fillmask serve: ${describeError(error, args)}\n`);
    return 1;
  }
  const modelId = args.modelId ?? (await defaultModelId(config.model as string));
  // Listening while the model loads lets a load balancer see "loading" on /health rather than nothing.
  const loading = createFillMask({ ...config, onWarning: () => undefined });
  const server = createFillMaskServer({
    fillMask: loading,
    modelId,
    batchWindowMs: args.batchWindowMs,
    // A local model is ready once its first batch has run (q8 opens its per-input variant then); a remote service is not called.
    warmUp: args.backend !== 'remote',
    maxQueuedInputs: args.maxQueue,
    maxBodyBytes: args.maxBodyBytes,
    requestTimeoutMs: args.timeoutMs,
    authTokens: authToken,
    accessLog: args.quiet ? undefined : (entry) => streams.stdout.write(`${JSON.stringify(entry)}\n`),
  });
  let fillMask: FillMask | undefined;
  try {
    const url = await server.listen({ port: args.port, host: args.host });
    streams.stderr.write(`fillmask serve: loading ${modelId} on ${url}\n`);
    fillMask = await loading;
    // Serving once the server is: after the warm-up batch.
    await server.loaded;
    streams.stderr.write(
      `fillmask serve: serving ${modelId} (${fillMask.backend}) on ${url}${authToken === undefined ? '' : ', with bearer-token auth'}\n`,
    );
    await stopRequested(streams.stop);
    const inFlight = server.stats.inFlightRequests;
    streams.stderr.write(`fillmask serve: shutting down after ${inFlight} ${inFlight === 1 ? 'request' : 'requests'} in flight\n`);
    await server.close();
    streams.stderr.write('fillmask serve: stopped\n');
    return 0;
  } catch (error) {
    streams.stderr.write(`fillmask serve: ${describeListenError(error, args)}\n`);
    await server.close();
    return 1;
  } finally {
    await (fillMask ?? (await loading.catch(() => undefined)))?.dispose();
  }
}

/** The token from --auth-token-file, else $FILLMASK_AUTH_TOKEN: never from the command line, where `ps` shows it. */
async function readAuthToken(file: string | undefined): Promise<string | undefined> {
  if (file === undefined) return process.env.FILLMASK_AUTH_TOKEN?.trim() || undefined;
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--auth-token-file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
  }
  const token = content.trim();
  if (token === '' || /\s/.test(token)) throw new UsageError(`--auth-token-file: ${file} must hold one token, without spaces.`);
  return token;
}

/** A folder's name (URLs cannot carry its path); a Hub id as given. */
async function defaultModelId(model: string): Promise<string> {
  const info = await stat(model).catch(() => undefined);
  return info?.isDirectory() ? path.basename(path.resolve(model)) : model;
}

function stopRequested(stop: AbortSignal | undefined): Promise<void> {
  if (stop !== undefined) {
    return stop.aborted ? Promise.resolve() : new Promise((resolve) => stop.addEventListener('abort', () => resolve(), { once: true }));
  }
  return new Promise((resolve) => {
    const onSignal = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

function describeListenError(error: unknown, args: ServeArguments): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'EADDRINUSE') return `port ${args.port} on ${args.host} is taken; choose another with --port.`;
  if (code === 'EADDRNOTAVAIL' || code === 'EACCES') return `cannot listen on ${args.host}:${args.port} (${code}).`;
  return describeError(error, args);
}
