import type { Page } from 'playwright-core';
import type { Harness, HarnessError, Outcome } from './harness/harness-api.js';

type HarnessMethod = keyof Harness;
/** The value of a successful Outcome (each member of the union: `never` for the failure), or T itself. */
type Unwrapped<T> = T extends { readonly ok: true; readonly value: infer Value } ? Value : T extends { readonly ok: false } ? never : T;

/** Opens the harness page and waits until `window.harness` is there. */
export async function openHarness(page: Page, origin: string): Promise<void> {
  await page.goto(`${origin}/index.html`);
  await page.waitForFunction(() => document.querySelector('#state')?.textContent === 'ready');
}

/** Calls `window.harness[method](...args)` in the page and returns its outcome as is. */
export async function callHarness<Method extends HarnessMethod>(
  page: Page,
  method: Method,
  ...args: Parameters<Harness[Method]>
): Promise<Awaited<ReturnType<Harness[Method]>>> {
  return page.evaluate(
    ([name, values]) => (window.harness[name as HarnessMethod] as (...parameters: unknown[]) => unknown)(...(values as unknown[])),
    [method, args] as const,
  ) as Promise<Awaited<ReturnType<Harness[Method]>>>;
}

/** Like callHarness, for calls that must succeed: the page's error becomes the test's failure. */
export async function harnessValue<Method extends HarnessMethod>(
  page: Page,
  method: Method,
  ...args: Parameters<Harness[Method]>
): Promise<Unwrapped<Awaited<ReturnType<Harness[Method]>>>> {
  const result = (await callHarness(page, method, ...args)) as unknown;
  if (typeof result === 'object' && result !== null && 'ok' in result) {
    const settled = result as Outcome<unknown>;
    if (!settled.ok) throw new Error(`harness.${method} failed in the page: ${settled.error.name}: ${settled.error.message}`);
    return settled.value as Unwrapped<Awaited<ReturnType<Harness[Method]>>>;
  }
  return result as Unwrapped<Awaited<ReturnType<Harness[Method]>>>;
}

/** The error of a call that must fail. */
export async function harnessError<Method extends HarnessMethod>(
  page: Page,
  method: Method,
  ...args: Parameters<Harness[Method]>
): Promise<HarnessError> {
  const result = (await callHarness(page, method, ...args)) as Outcome<unknown>;
  if (result.ok) throw new Error(`harness.${method} succeeded but was expected to fail`);
  return result.error;
}
