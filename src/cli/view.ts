import { spawn } from 'node:child_process';
import { InputError } from '../errors.js';
import { startViewer } from '../viewer/server.js';
import { optionFlag, optionNumber, optionString, parseArgs } from './args.js';

const USAGE =
  'usage: mosmos view <volume | dicom-dir> [--seg seg.nii.gz] [--attention dir] [--port N] [--series UID] [--no-open]';

/** Opens `url` in the desktop's browser, if there is one; failing quietly is fine (the URL is printed). */
function openBrowser(url: string): void {
  const command =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // No browser launcher: the printed URL is enough.
  }
}

/** `mosmos view`: serves a local niivue viewer for a volume, its segmentation and attention maps until Ctrl-C. */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['no-open', 'help']);
  if (optionFlag(args, 'help')) {
    console.log(USAGE);
    return 0;
  }
  const [volume, ...extra] = args.positional;
  if (volume === undefined) throw new InputError(`missing the volume to show\n${USAGE}`);
  if (extra.length > 0) throw new InputError(`unexpected argument "${extra[0]}"\n${USAGE}`);
  const known = new Set(['seg', 'attention', 'port', 'series', 'no-open', 'help']);
  for (const name of args.options.keys())
    if (!known.has(name)) throw new InputError(`unknown option --${name}\n${USAGE}`);
  const port = args.options.has('port') ? optionNumber(args, 'port', 0) : undefined;
  const viewer = await startViewer({
    volume,
    seg: optionString(args, 'seg'),
    attention: optionString(args, 'attention'),
    series: optionString(args, 'series'),
    port,
  });
  console.log(`mosmos view: ${viewer.url}  (Ctrl-C to stop)`);
  if (!optionFlag(args, 'no-open')) openBrowser(viewer.url);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await viewer.close();
  return 0;
}
