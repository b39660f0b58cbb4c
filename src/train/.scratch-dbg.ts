import { noGrad, seed, tensor } from '../engine/index.js';
import { MosmosModel } from '../nn/mosmos-model.js';

seed(1);
const m = new MosmosModel({
  arch: 'unet2d',
  inChannels: 1,
  widths: [8, 16, 32],
  text: { vocabSize: 300, maxLength: 64, hidden: 64, depth: 2, heads: 4 },
  embedDim: 32,
  tags: Array(13).fill('x'),
});
noGrad(() => {
  const x = tensor(
    new Float32Array(4 * 32 * 32).map((_, i) => (i < 2048 ? Math.random() : Math.random() * 3)),
    [4, 1, 32, 32],
  );
  const e = m.encodeImage(x);
  const g = e.global.data();
  console.log(
    'g rows',
    [0, 1, 2, 3].map((r) =>
      Array.from(g.slice(r * 32, r * 32 + 4))
        .map((v) => v.toFixed(4))
        .join(' '),
    ),
  );
  const ids = new Int32Array(4 * 16).map((_, i) => (i % 16 < 10 ? (i * 7) % 300 : 0));
  const mask = new Uint8Array(4 * 16).map((_, i) => (i % 16 < 10 ? 1 : 0));
  const t = m.encodeText({ ids, mask, batch: 4, length: 16 }).data();
  console.log(
    't rows',
    [0, 1, 2, 3].map((r) =>
      Array.from(t.slice(r * 32, r * 32 + 4))
        .map((v) => v.toFixed(4))
        .join(' '),
    ),
  );
});
