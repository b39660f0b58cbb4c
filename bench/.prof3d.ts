import { AdamW, backward, randn, seed, tidy } from '../src/engine/index.js';
import { createUNet, crossEntropy, forwardUNet, randomOneHot } from './engine-unet.js';
seed(0);
const net = createUNet(3, [8, 16, 32, 64], 1, 14);
const x = randn([1, 1, 64, 64, 64]);
const target = randomOneHot([1, 14, 64, 64, 64], 1);
const optimizer = new AdamW(net.parameters, { lr: 1e-3 });
for (let i = 0; i < 2; i++) {
  const s = performance.now();
  tidy(() => { optimizer.zeroGrad(); backward(crossEntropy(forwardUNet(net, x, true), target)); optimizer.step(); });
  console.error('step', performance.now() - s);
}
