import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { commandReference, commandSpecs, withReference } from './reference.js';

test('the README command reference is the one generated from the option declarations (npm run docs:cli)', async () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  assert.equal(readme, withReference(readme, await commandReference()));
});

test('every declared option has help text and a unique name', async () => {
  for (const spec of await commandSpecs()) {
    const names = spec.options.map((o) => o.name);
    assert.equal(new Set(names).size, names.length, `${spec.name}: duplicate option`);
    for (const option of spec.options) assert.ok(option.help.length > 0, `${spec.name} --${option.name}`);
  }
});
