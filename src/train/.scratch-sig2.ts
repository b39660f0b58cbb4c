import { installStopSignal } from './stop-signal.js';

const s = installStopSignal();
const t = setInterval(() => {
  if (s.requested) {
    console.log('stopping');
    clearInterval(t);
    s.dispose();
  }
}, 100);
