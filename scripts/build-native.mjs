// Builds the oneDNN addon (native/) when oneDNN is installed. Never fails `npm ci`: without oneDNN
// mosmos runs on its plain-TypeScript reference backend and says so once at start-up.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const headerCandidates = ['/usr/include/oneapi/dnnl/dnnl.hpp', '/usr/include/dnnl.hpp'];
if (!existsSync('native/binding.gyp')) process.exit(0);
if (!headerCandidates.some((p) => existsSync(p))) {
  console.warn('mosmos: oneDNN headers not found (apt-get install libdnnl-dev); skipping the native addon.');
  process.exit(0);
}
const gyp = spawnSync('npx', ['--no-install', 'node-gyp', 'rebuild', '--directory', 'native'], {
  stdio: 'inherit',
});
if (gyp.status !== 0) {
  console.warn('mosmos: building the oneDNN addon failed; the slow reference backend will be used.');
}
