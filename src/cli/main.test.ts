import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from './main.js';

const commands = [
  'info',
  'convert',
  'data',
  'tags',
  'reports',
  'pretrain',
  'finetune',
  'segment',
  'evaluate',
  'phantom',
  'cohort',
];

test('every command answers --help with its usage and exit code 0', async () => {
  const printed: string[] = [];
  const original = console.log;
  console.log = (...parts: unknown[]) => void printed.push(parts.join(' '));
  try {
    for (const name of [...commands, 'demo', 'view']) {
      printed.length = 0;
      assert.equal(await main([name, '--help']), 0, name);
      assert.match(printed.join('\n'), new RegExp(`usage: mosmos ${name}`), name);
    }
  } finally {
    console.log = original;
  }
});

test('an unknown command is exit code 2', async () => {
  const original = console.error;
  console.error = () => {};
  try {
    assert.equal(await main(['segmnet']), 2);
  } finally {
    console.error = original;
  }
});
