import { backward, mean, seed, tensor, tidy } from '../engine/index.js';
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
const x = tensor(
  new Float32Array(32 * 32 * 32).map(() => Math.random()),
  [32, 1, 32, 32],
);
const ids = new Int32Array(8 * 64).map(() => Math.floor(Math.random() * 300));
const mask = new Uint8Array(8 * 64).fill(1);
const pids = new Int32Array(13 * 16).map(() => Math.floor(Math.random() * 300));
const pmask = new Uint8Array(13 * 16).fill(1);
for (let it = 0; it < 2; it++) {
  tidy(() => {
    let t = performance.now();
    const e = m.encodeImage(x, true);
    const l1 = mean(e.global);
    console.log('img fwd', (performance.now() - t).toFixed(0));
    t = performance.now();
    const tt = m.encodeText({ ids, mask, batch: 8, length: 64 }, true);
    console.log('txt fwd', (performance.now() - t).toFixed(0));
    t = performance.now();
    const q = m.tagQueries({ ids: pids, mask: pmask, batch: 13, length: 16 }, true);
    const r = m.recognise(e.features, q);
    console.log('q+mlr fwd', (performance.now() - t).toFixed(0));
    t = performance.now();
    const loss = mean(tensor([0], [1]));
    void loss;
    backward(mean(e.global));
    console.log('img bwd', (performance.now() - t).toFixed(0));
    t = performance.now();
    backward(mean(tt));
    console.log('txt bwd', (performance.now() - t).toFixed(0));
    t = performance.now();
    backward(mean(r.logits));
    console.log('mlr bwd', (performance.now() - t).toFixed(0));
    t = performance.now();
    void l1;
  });
}
