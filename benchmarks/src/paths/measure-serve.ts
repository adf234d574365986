import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { memoryStatus } from '../process-memory.js';
import { shareAmongClients } from './concurrent-clients.js';
import { processCpuMs } from './process-cpu-time.js';
import { parsePrometheusText } from './prometheus-metrics.js';

/** One `fillmask serve` process, loaded, then asked for every sentence by concurrent clients. */
export interface ServeRun {
  /** From before the spawn until it said it serves (the model loaded; it listens before). */
  readonly readyMs: number;
  /** From the first request to the last answer. */
  readonly requestsMs: number;
  /** From before the spawn to its exit after SIGTERM. */
  readonly wallMs: number;
  /** CPU time the server used from the first request to the last answer (its threads included), and the clients (this process). */
  readonly serverCpuMs?: number;
  readonly clientsCpuMs: number;
  /** Each sentence's answer, in the sentences' order. */
  readonly answers: readonly unknown[];
  /** Its `GET /metrics` after the last answer. */
  readonly metrics: Record<string, number>;
  readonly peakRssBytes?: number;
}

/**
 * Starts `node ...serveArgs` (a `fillmask serve` command line that listens on a free port: `-p 0`),
 * waits until it says it serves, then `clients` HTTP clients with keep-alive connections share the
 * sentences, one sentence a request (`{"inputs": sentence}`), each sending its next when its previous
 * answer arrives. Reads /metrics, then stops the server with SIGTERM (its graceful shutdown) and waits
 * for its exit; any failure, a non-200 answer included, stops it and throws.
 */
export async function measureServe(serveArgs: readonly string[], sentences: readonly string[], clients: number): Promise<ServeRun> {
  const start = process.hrtime.bigint();
  const server = spawn(process.execPath, serveArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    server.on('error', reject);
    server.on('close', (code, signal) => resolve([code, signal]));
  });
  let stderr = '';
  server.stdout.resume(); // The access log: drained, as a terminal or a log collector would.
  server.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let peakRssBytes: number | undefined;
  const sampler = setInterval(() => {
    peakRssBytes = (server.pid !== undefined && memoryStatus(server.pid)?.peakRssBytes) || peakRssBytes;
  }, 20);
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const onData = () => {
        const serving = /serving .* on (http:\/\/\S+?)(,|\s|$)/m.exec(stderr);
        if (serving !== null) {
          server.stderr.off('data', onData);
          resolve(serving[1]);
        }
      };
      server.stderr.on('data', onData);
      exited.then(
        ([code, signal]) => reject(new Error(`fillmask serve ended with ${signal ?? code} before serving: ${stderr.slice(-2000)}`)),
        reject,
      );
    });
    const readyMs = Number(process.hrtime.bigint() - start) / 1e6;
    const serverCpuAtStart = processCpuMs(server.pid!);
    const clientsCpuAtStart = process.cpuUsage();
    const requestsStart = process.hrtime.bigint();
    const answers = await shareAmongClients(sentences, clients, (sentence) => post(agent, url, JSON.stringify({ inputs: sentence })));
    const requestsMs = Number(process.hrtime.bigint() - requestsStart) / 1e6;
    const serverCpuAtEnd = processCpuMs(server.pid!);
    const clientsCpu = process.cpuUsage(clientsCpuAtStart);
    const serverCpuMs = serverCpuAtStart !== undefined && serverCpuAtEnd !== undefined ? serverCpuAtEnd - serverCpuAtStart : undefined;
    const metrics = parsePrometheusText(await get(agent, `${url}/metrics`));
    agent.destroy();
    server.kill('SIGTERM');
    const [code, signal] = await exited;
    if (code !== 0) throw new Error(`fillmask serve ended with ${signal ?? `exit status ${code}`} after SIGTERM: ${stderr.slice(-2000)}`);
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    return {
      readyMs,
      requestsMs,
      wallMs,
      ...(serverCpuMs !== undefined && { serverCpuMs }),
      clientsCpuMs: (clientsCpu.user + clientsCpu.system) / 1000,
      answers,
      metrics,
      ...(peakRssBytes !== undefined && { peakRssBytes }),
    };
  } finally {
    clearInterval(sampler);
    agent.destroy();
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
    const forced = setTimeout(() => server.kill('SIGKILL'), 30_000);
    await exited.catch(() => undefined);
    clearTimeout(forced);
  }
}

function post(agent: Agent, url: string, body: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () =>
        response.statusCode === 200
          ? resolve(JSON.parse(text))
          : reject(new Error(`fillmask serve answered ${response.statusCode}: ${text}`)),
      );
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function get(agent: Agent, url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, { agent }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve(text));
      response.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}
