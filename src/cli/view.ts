import { spawn } from 'node:child_process';
import { startViewer } from '../viewer/server.js';
import { type CommandSpec, readCommandLine } from './options.js';

export const spec = {
  name: 'view',
  positionals: '<volume | dicom-dir>',
  arity: [1, 1],
  options: [
    { name: 'seg', type: 'string', value: 'seg.nii.gz', help: 'a label map to overlay' },
    {
      name: 'attention',
      type: 'string',
      value: 'dir',
      help: 'attention maps written by pretrain --export-attention',
    },
    { name: 'port', type: 'number', value: 'N', help: 'port to listen on (default: a free one)' },
    { name: 'series', type: 'string', value: 'UID', help: 'the series to show from a folder with several' },
    { name: 'no-open', type: 'flag', help: 'print the URL without opening a browser' },
  ],
} as const satisfies CommandSpec;

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
  const line = readCommandLine(spec, argv);
  if (!line) return 0;
  const viewer = await startViewer({
    volume: line.positional[0] ?? '',
    seg: line.string('seg'),
    attention: line.string('attention'),
    series: line.string('series'),
    port: line.number('port'),
  });
  console.log(`mosmos view: ${viewer.url}  (Ctrl-C to stop)`);
  if (!line.flag('no-open')) openBrowser(viewer.url);
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
