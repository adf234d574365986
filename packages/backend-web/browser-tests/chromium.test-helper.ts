import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`, as .ci/run does); playwright never downloads a browser here. */
export const chromiumPath = process.env.FILLMASK_CHROMIUM ?? '/usr/bin/chromium';

const quietArgs = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Any host but the loopback fails to resolve: a request that tried to leave would fail loudly, and
  // the request log below would still show it.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

export interface ChromiumSession {
  readonly context: BrowserContext;
  /** Every request any page or worker of the session made, in order. */
  readonly requests: string[];
  /** Messages the pages printed to their console, for failure reports. */
  readonly consoleMessages: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Starts headless Chromium with a new, empty profile. `webgpu` exposes SwiftShader's software WebGPU
 * adapter (for correctness, not speed); without it the GPU is off and WebGPU has no adapter.
 */
export async function launchChromium(options: { webgpu?: boolean } = {}): Promise<ChromiumSession> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `No Chromium at ${chromiumPath}: install it with apt-get install chromium (as .ci/run does), or set FILLMASK_CHROMIUM to its path.`,
    );
  }
  const profile = await mkdtemp(join(tmpdir(), 'fillmask-chromium-'));
  const gpuArgs = options.webgpu
    ? ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--enable-unsafe-swiftshader']
    : ['--disable-gpu'];
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', ...quietArgs, ...gpuArgs],
    viewport: { width: 900, height: 900 },
  });
  const requests: string[] = [];
  const consoleMessages: string[] = [];
  context.on('request', (request) => requests.push(request.url()));
  const watch = (page: Page): void => {
    page.on('console', (message) => consoleMessages.push(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => consoleMessages.push(`pageerror: ${error.message}`));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  return {
    context,
    requests,
    consoleMessages,
    newPage: () => context.newPage(),
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
