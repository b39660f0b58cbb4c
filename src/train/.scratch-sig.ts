import { installStopSignal } from './stop-signal.js';

const s = installStopSignal();
console.log('listeners', process.listenerCount('SIGTERM'), process.listenerCount('SIGINT'));
process.kill(process.pid, 'SIGTERM');
setTimeout(() => {
  console.log('requested', s.requested);
  s.dispose();
}, 200);
