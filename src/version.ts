import { readFileSync } from 'node:fs';

/** The package version, read once from package.json (recorded in every run.json). */
export const version: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
