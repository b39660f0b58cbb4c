import { backward, tensor, tidy, AdamW, seed } from '../src/engine/index.js';
import { UNet2dEncoder } from '../src/nn/unet2d-encoder.js';
import { parametersOf, parameterCount } from '../src/nn/module.js';
import { mean } from '../src/engine/index.js';
seed(1);
const enc = new UNet2dEncoder({ inChannels: 1, widths: [8, 16, 32] });
console.log('params', parameterCount(enc));
const x = tensor(Float32Array.from({ length: 32 * 1 * 32 * 32 }, () => Math.random()), [32, 1, 32, 32]);
const opt = new AdamW(parametersOf(enc), { lr: 1e-3 });
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const l = tidy(() => {
    const out = enc.forward(x);
    const loss = mean(out.deepest);
    backward(loss);
    opt.step();
    opt.zeroGrad();
    return loss.item();
  });
  console.log('step', i, l, (performance.now() - t0).toFixed(0), 'ms');
}
