import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { tensor } from './creation.js';
import {
  decodeSafetensors,
  encodeSafetensors,
  halfToFloat,
  loadSafetensors,
  saveSafetensors,
} from './safetensors.js';
import { useTestBackend } from './testing/gradient-check.js';

useTestBackend();

/** A safetensors file assembled byte by byte, independent of the encoder under test. */
function handMade(header: object, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

test('round trip of float and integer arrays with metadata', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mosmos-st-'));
  try {
    const path = join(dir, 'w.safetensors');
    const w = tensor([1.5, -2, 3.25, 0, 1e-8, 6], [2, 3]);
    await saveSafetensors(
      path,
      { 'layer.weight': w, ids: { shape: [3], values: Int32Array.from([7, -1, 2 ** 30]) } },
      {
        metadata: { format: 'pt', step: '12' },
      },
    );
    const bytes = readFileSync(path);
    // The data section starts on an 8-byte boundary.
    assert.equal(Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true)) % 8, 0);
    const file = await loadSafetensors(path);
    assert.deepEqual(file.metadata, { format: 'pt', step: '12' });
    assert.deepEqual(file.tensors['layer.weight']!.shape, [2, 3]);
    assert.deepEqual([...file.tensors['layer.weight']!.values], [...w.data()]);
    assert.equal(file.tensors.ids!.dtype, 'I32');
    assert.deepEqual([...file.tensors.ids!.values], [7, -1, 2 ** 30]);
    await assert.rejects(saveSafetensors(path, { w }), /output exists/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('reads F16, BF16, F64 and I64 written by hand', () => {
  const data = new Uint8Array(4 + 4 + 16 + 16);
  const view = new DataView(data.buffer);
  view.setUint16(0, 0x3c00, true); // 1.0
  view.setUint16(2, 0xc000, true); // -2.0
  view.setUint16(4, 0x3f80, true); // bf16 1.0
  view.setUint16(6, 0x4049, true); // bf16 3.140625
  view.setFloat64(8, Math.PI, true);
  view.setFloat64(16, -0.5, true);
  view.setBigInt64(24, 123456789n, true);
  view.setBigInt64(32, -5n, true);
  const file = decodeSafetensors(
    handMade(
      {
        h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] },
        b: { dtype: 'BF16', shape: [2], data_offsets: [4, 8] },
        d: { dtype: 'F64', shape: [2, 1], data_offsets: [8, 24] },
        i: { dtype: 'I64', shape: [2], data_offsets: [24, 40] },
      },
      data,
    ),
    'hand.safetensors',
  );
  assert.deepEqual([...file.tensors.h!.values], [1, -2]);
  assert.deepEqual([...file.tensors.b!.values], [1, 3.140625]);
  assert.deepEqual([...file.tensors.d!.values], [Math.fround(Math.PI), -0.5]);
  assert.deepEqual([...file.tensors.i!.values], [123456789, -5]);
  assert.equal(halfToFloat(0x0001), 2 ** -24);
  assert.equal(halfToFloat(0x7c00), Infinity);
});

test('corrupt files are refused with the file name', async () => {
  const good = encodeSafetensors({ w: tensor([1, 2], [2]) });
  assert.throws(
    () => decodeSafetensors(good.subarray(0, 5), 'a.st'),
    /^InputError: a\.st: not a safetensors file/,
  );
  assert.throws(
    () => decodeSafetensors(good.subarray(0, good.length - 4), 'b.st'),
    /b\.st: tensor 'w' data_offsets/,
  );
  const badJson = handMade({}, new Uint8Array(0));
  badJson[8] = 0x7b + 1;
  assert.throws(
    () => decodeSafetensors(badJson, 'c.st'),
    /c\.st: not a safetensors file \(header is not JSON\)/,
  );
  assert.throws(
    () =>
      decodeSafetensors(
        handMade({ x: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)),
        'd.st',
      ),
    /d\.st: tensor 'x' has unsupported dtype C64/,
  );
  await assert.rejects(loadSafetensors('/nonexistent/m.safetensors'), /m\.safetensors: no such file/);
});

const python = '/usr/bin/python3';
const torchSkip = (): string | false => {
  if (!existsSync(python)) return 'Debian python3 not installed';
  const r = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  return r.status === 0 ? false : 'python3-torch not installed';
};

test('PyTorch reads our file and we read PyTorch-written F16/BF16/I64 tensors', {
  skip: torchSkip(),
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mosmos-st-'));
  try {
    const ours = join(dir, 'ours.safetensors');
    await saveSafetensors(ours, { a: tensor([0.25, -1, 7.5, 3, 2, 1], [3, 2]) }, { metadata: { k: 'v' } });
    // A minimal reader/writer of the format with torch buffers: the oracle, not product code.
    const script = `
import json, struct, sys, torch
path, out = sys.argv[1], sys.argv[2]
raw = open(path, 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
header = json.loads(raw[8:8 + n])
info = header['a']
b, e = info['data_offsets']
a = torch.frombuffer(bytearray(raw[8 + n + b:8 + n + e]), dtype=torch.float32).reshape(info['shape'])
print(json.dumps({'a': a.tolist(), 'meta': header['__metadata__']}))
tensors = {'h': torch.tensor([0.1, -3.5, 65504.0], dtype=torch.float16),
           'bf': torch.tensor([[1.7, -0.003]], dtype=torch.bfloat16),
           'pos': torch.arange(4, dtype=torch.int64).reshape(1, 4)}
names = {'h': 'F16', 'bf': 'BF16', 'pos': 'I64'}
head, blobs, off = {}, [], 0
for k, t in tensors.items():
    blob = t.contiguous().view(torch.uint8).numpy().tobytes() if t.dtype != torch.bfloat16 else t.view(torch.int16).numpy().tobytes()
    head[k] = {'dtype': names[k], 'shape': list(t.shape), 'data_offsets': [off, off + len(blob)]}
    blobs.append(blob); off += len(blob)
hb = json.dumps(head).encode()
open(out, 'wb').write(struct.pack('<Q', len(hb)) + hb + b''.join(blobs))
print(json.dumps({k: t.float().tolist() for k, t in tensors.items()}))
`;
    const scriptPath = join(dir, 'check.py');
    writeFileSync(scriptPath, script);
    const theirs = join(dir, 'theirs.safetensors');
    const r = spawnSync(python, [scriptPath, ours, theirs], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const [first, second] = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(first.a, [
      [0.25, -1],
      [7.5, 3],
      [2, 1],
    ]);
    assert.deepEqual(first.meta, { k: 'v' });
    const file = await loadSafetensors(theirs);
    assert.deepEqual([...file.tensors.h!.values], second.h);
    assert.deepEqual([...file.tensors.bf!.values], second.bf.flat());
    assert.deepEqual(file.tensors.bf!.shape, [1, 2]);
    assert.deepEqual([...file.tensors.pos!.values], [0, 1, 2, 3]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
