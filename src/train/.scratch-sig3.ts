import { getBackend, tensor } from '../engine/index.js';
import { installStopSignal } from './stop-signal.js';

const s = installStopSignal();
console.log(getBackend().name, tensor([1], [1]).item());
const t = setInterval(() => {
  if (s.requested) {
    console.log('stopping');
    clearInterval(t);
    s.dispose();
  }
}, 100);
