import { registerKernel } from '../../kernel-registry.js';
import { values } from './storage.js';

// One AdamW step (PyTorch torch.optim.AdamW): decoupled decay, then the bias-corrected Adam update.
registerKernel('reference', 'AdamW', ([ip, ig, im, iv], { lr, beta1, beta2, epsilon, weightDecay, step }) => {
  const p = values(ip!);
  const g = values(ig!);
  const m = values(im!);
  const v = values(iv!);
  const np = new Float32Array(p.length);
  const nm = new Float32Array(p.length);
  const nv = new Float32Array(p.length);
  const c1 = 1 - beta1 ** step;
  const c2 = Math.sqrt(1 - beta2 ** step);
  const stepSize = lr / c1;
  const decay = 1 - lr * weightDecay;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]!;
    const mi = beta1 * m[i]! + (1 - beta1) * gi;
    const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
    nm[i] = mi;
    nv[i] = vi;
    np[i] = p[i]! * decay - (stepSize * mi) / (Math.sqrt(vi) / c2 + epsilon);
  }
  return [
    { shape: ip!.shape, storage: np },
    { shape: ip!.shape, storage: nm },
    { shape: ip!.shape, storage: nv },
  ];
});
