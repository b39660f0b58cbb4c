import { registerKernel } from '../../kernel-registry.js';
import { broadcastShapes } from '../../ops/broadcast.js';
import { gemm } from './gemm.js';
import { broadcastStrides, rowOffsets, sizeOf } from './layout.js';
import { values } from './storage.js';

registerKernel('reference', 'MatMul', ([ia, ib], { transposeA, transposeB }) => {
  const a = values(ia!);
  const b = values(ib!);
  const ra = ia!.shape.length;
  const rb = ib!.shape.length;
  const [ar, ac] = [ia!.shape[ra - 2]!, ia!.shape[ra - 1]!];
  const [br, bc] = [ib!.shape[rb - 2]!, ib!.shape[rb - 1]!];
  const m = transposeA ? ac : ar;
  const k = transposeA ? ar : ac;
  const n = transposeB ? br : bc;
  const batchShape = broadcastShapes(ia!.shape.slice(0, -2), ib!.shape.slice(0, -2));
  const batches = sizeOf(batchShape);
  const out = new Float32Array(batches * m * n);
  // Offsets of each batch's matrix in a and b (0 stride along broadcast batch axes).
  const sa = broadcastStrides(ia!.shape.slice(0, -2), batchShape).map((s) => s * ar * ac);
  const sb = broadcastStrides(ib!.shape.slice(0, -2), batchShape).map((s) => s * br * bc);
  const [offA, offB] = rowOffsets(
    [...batchShape, 1],
    [
      [...sa, 0],
      [...sb, 0],
    ],
  );
  for (let t = 0; t < batches; t++) {
    gemm(
      transposeA,
      transposeB,
      m,
      n,
      k,
      { data: a, offset: offA![t]!, ld: ac },
      { data: b, offset: offB![t]!, ld: bc },
      { data: out, offset: t * m * n, ld: n },
      false,
    );
  }
  return { shape: [...batchShape, m, n], storage: out };
});
