import { registerKernel } from '../../kernel-registry.js';
import { rowOffsets, sizeOf, stridesOf } from './layout.js';
import { values } from './storage.js';

const R = 'reference';

// The reference backend frees nothing, so a reshape can share its input's array.
registerKernel(R, 'Reshape', ([x], { shape }) => ({ shape: [...shape], storage: x!.storage }));

registerKernel(R, 'Permute', ([ix], { perm }) => {
  const x = values(ix!);
  const inStrides = stridesOf(ix!.shape);
  const shape = perm.map((a) => ix!.shape[a]!);
  const strides = perm.map((a) => inStrides[a]!);
  const out = new Float32Array(x.length);
  const [ox] = rowOffsets(shape, [strides]);
  const n = shape[shape.length - 1] ?? 1;
  const l = strides[strides.length - 1] ?? 0;
  for (let row = 0; row < ox!.length; row++) {
    let p = ox![row]!;
    for (let j = 0; j < n; j++, p += l) out[row * n + j] = x[p]!;
  }
  return { shape, storage: out };
});

registerKernel(R, 'Concat', (inputs, { axis }) => {
  const first = inputs[0]!;
  const shape = [...first.shape];
  shape[axis] = inputs.reduce((s, t) => s + t.shape[axis]!, 0);
  const out = new Float32Array(sizeOf(shape));
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + 1));
  const outBlock = shape[axis]! * inner;
  let offset = 0;
  for (const t of inputs) {
    const x = values(t);
    const block = t.shape[axis]! * inner;
    for (let o = 0; o < outer; o++) out.set(x.subarray(o * block, (o + 1) * block), o * outBlock + offset);
    offset += block;
  }
  return { shape, storage: out };
});

registerKernel(R, 'Slice', ([ix], { begin, size }) => {
  const x = values(ix!);
  const strides = stridesOf(ix!.shape);
  const start = begin.reduce((s, b, i) => s + b * strides[i]!, 0);
  const out = new Float32Array(sizeOf(size));
  const [ox] = rowOffsets(size, [strides]);
  const n = size[size.length - 1] ?? 1;
  for (let row = 0; row < ox!.length; row++) {
    const p = start + ox![row]!;
    out.set(x.subarray(p, p + n), row * n);
  }
  return { shape: [...size], storage: out };
});

registerKernel(R, 'Pad', ([ix], { padding, value }) => {
  const x = values(ix!);
  const shape = ix!.shape.map((d, i) => d + padding[i]![0] + padding[i]![1]);
  const outStrides = stridesOf(shape);
  const start = padding.reduce((s, [b], i) => s + b * outStrides[i]!, 0);
  const out = new Float32Array(sizeOf(shape));
  if (value !== 0) out.fill(value);
  const [oo] = rowOffsets(ix!.shape, [outStrides]);
  const n = ix!.shape[ix!.shape.length - 1] ?? 1;
  for (let row = 0; row < oo!.length; row++) out.set(x.subarray(row * n, (row + 1) * n), start + oo![row]!);
  return { shape, storage: out };
});

registerKernel(R, 'Gather', ([itable], { indices, indexShape }) => {
  const table = values(itable!);
  const dim = itable!.shape[1]!;
  const out = new Float32Array(indices.length * dim);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i]!;
    out.set(table.subarray(r * dim, (r + 1) * dim), i * dim);
  }
  return { shape: [...indexShape, dim], storage: out };
});

registerKernel(R, 'GatherGrad', ([idy], { indices, rows }) => {
  const dy = values(idy!);
  const dim = idy!.shape[idy!.shape.length - 1]!;
  const out = new Float32Array(rows * dim);
  for (let i = 0; i < indices.length; i++) {
    const o = indices[i]! * dim;
    for (let j = 0; j < dim; j++) out[o + j]! += dy[i * dim + j]!;
  }
  return { shape: [rows, dim], storage: out };
});
