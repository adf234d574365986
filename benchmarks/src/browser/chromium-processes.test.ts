import { describe, expect, it } from 'vitest';
import { descendantsOf, isRenderer, parsePsRows } from './chromium-processes.js';

const psOutput = `    1     0  1200 /sbin/init
  500     1 90000 node benchmarks/dist/browser/run-browser-benchmark.js
  510   500 150000 /usr/lib/chromium/chromium --headless --no-sandbox --remote-debugging-pipe
  530   511 60000 /usr/lib/chromium/chromium --type=renderer --lang=en-US --renderer-client-id=7
  511   510 40000 /usr/lib/chromium/chromium --type=zygote --no-sandbox
  520   510 70000 /usr/lib/chromium/chromium --type=gpu-process --disable-gpu
  600     1 80000 /usr/lib/chromium/chromium --type=renderer --lang=en-US
not a row
`;

describe('parsePsRows', () => {
  it('reads pid, parent, RSS in bytes and the command line of each row', () => {
    const rows = parsePsRows(psOutput);
    expect(rows).toHaveLength(7);
    expect(rows[2]).toEqual({
      pid: 510,
      ppid: 500,
      rssBytes: 150000 * 1024,
      args: '/usr/lib/chromium/chromium --headless --no-sandbox --remote-debugging-pipe',
    });
  });
});

describe('descendantsOf', () => {
  it('finds children of children, whatever order ps lists them in, and never the root or strangers', () => {
    const pids = descendantsOf(parsePsRows(psOutput), 500).map((row) => row.pid);
    expect(pids.sort()).toEqual([510, 511, 520, 530]);
  });
});

describe('isRenderer', () => {
  it('tells renderers from the browser, zygote and GPU processes', () => {
    const renderers = descendantsOf(parsePsRows(psOutput), 500).filter(isRenderer);
    expect(renderers.map((row) => row.pid)).toEqual([530]);
    expect(isRenderer({ pid: 1, ppid: 0, rssBytes: 0, args: 'chromium --type=renderer-ish' })).toBe(false);
  });
});
