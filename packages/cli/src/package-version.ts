import { readFileSync } from 'node:fs';

/** This package's version, for `fillmask --version`. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
