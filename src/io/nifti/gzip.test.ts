import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { gzipParts } from './gzip.js';

test('pieces deflated in parallel form one valid gzip member (CRC and size checked by zlib)', async () => {
  // 9 MiB + a few bytes across three parts: several 4 MiB pieces, part boundaries inside none of them.
  const a = Uint8Array.from({ length: 352 }, (_, i) => i % 251);
  const b = new Uint8Array(9 * 1024 * 1024 + 7);
  let state = 1;
  for (let i = 0; i < b.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    b[i] = i % 3000 < 1500 ? state >>> 28 : 0; // half noise, half runs
  }
  const c = Uint8Array.from([1, 2, 3]);
  const out = Buffer.concat(await gzipParts([a, b, c], 1));
  assert.equal(out[0], 0x1f);
  assert.equal(out[1], 0x8b);
  const back = gunzipSync(out);
  assert.equal(back.length, a.length + b.length + c.length);
  assert.ok(back.subarray(0, 352).equals(a));
  assert.ok(back.subarray(352, 352 + b.length).equals(b));
  assert.ok(back.subarray(352 + b.length).equals(c));
  assert.ok(out.length < b.length, 'it compresses');
});

test('small inputs give a plain gzip stream', async () => {
  const data = new TextEncoder().encode('small volume');
  assert.equal(gunzipSync(Buffer.concat(await gzipParts([data], 6))).toString(), 'small volume');
});
