// Builds the oneDNN addon (native/ -> native/build/Release/mosmos_dnnl.node) when oneDNN is
// installed. Never fails `npm ci`: without the addon mosmos runs on its plain-TypeScript reference
// backend and says so once at start-up.
//
// Offline by construction: node-gyp is used only when this Node's own headers are on disk (it
// would otherwise download them); else the sources are compiled directly against the
// `node-api-headers` package (N-API needs no libnode to link against).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(root, 'native');
const output = join(nativeDir, 'build', 'Release', 'mosmos_dnnl.node');
const warn = (message) => console.warn(`mosmos: ${message}`);

if (!existsSync(join(nativeDir, 'binding.gyp'))) process.exit(0);
if (!['/usr/include/oneapi/dnnl/dnnl.hpp', '/usr/include/dnnl.hpp'].some((p) => existsSync(p))) {
  warn('oneDNN headers not found (apt-get install libdnnl-dev); skipping the native addon.');
  process.exit(0);
}

/** A directory usable as node-gyp's --nodedir: this Node's install prefix, if it ships headers. */
function localNodeDir() {
  const candidates = [process.env.npm_config_nodedir, resolve(dirname(process.execPath), '..')];
  return candidates.find((d) => d && existsSync(join(d, 'include', 'node', 'common.gypi')));
}

/** npm's bundled node-gyp (npm sets npm_config_node_gyp for lifecycle scripts). */
function nodeGypScript() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(
      dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  ];
  return candidates.find((p) => p && existsSync(p));
}

function buildWithNodeGyp() {
  const nodedir = localNodeDir();
  const gyp = nodeGypScript();
  if (nodedir === undefined || gyp === undefined) return false;
  const result = spawnSync(
    process.execPath,
    [gyp, 'rebuild', `--nodedir=${nodedir}`, '--directory', nativeDir],
    {
      stdio: 'inherit',
    },
  );
  return result.status === 0 && existsSync(output);
}

function napiIncludeDir() {
  try {
    return createRequire(import.meta.url)('node-api-headers').include_dir;
  } catch {
    const prefixHeaders = resolve(dirname(process.execPath), '..', 'include', 'node');
    return existsSync(join(prefixHeaders, 'node_api.h')) ? prefixHeaders : undefined;
  }
}

function buildDirectly() {
  const include = napiIncludeDir();
  if (include === undefined) {
    warn('no N-API headers (npm install node-api-headers); skipping the native addon.');
    return false;
  }
  const sources = readdirSync(join(nativeDir, 'src'))
    .filter((f) => f.endsWith('.cc'))
    .map((f) => join(nativeDir, 'src', f));
  mkdirSync(dirname(output), { recursive: true });
  const cxx = process.env.CXX ?? 'c++';
  const args = ['-std=c++17', '-O3', '-fPIC', '-fopenmp', '-shared', '-DNAPI_VERSION=8'];
  args.push('-DNODE_GYP_MODULE_NAME=mosmos_dnnl', `-I${include}`, ...sources, '-ldnnl', '-o', output);
  const result = spawnSync(cxx, args, { stdio: 'inherit' });
  return result.status === 0 && existsSync(output);
}

if (process.env.MOSMOS_SKIP_NATIVE === '1') process.exit(0);
if (!buildWithNodeGyp() && !buildDirectly()) {
  warn('building the oneDNN addon failed; the slow reference backend will be used.');
}
