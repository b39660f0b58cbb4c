import { InputError } from '../errors.js';

/** A CLI command: parses its own arguments, calls the library, returns the exit code. */
export type Command = (argv: string[]) => Promise<number>;

/** Each command lives in its own file and is loaded only when used, so start-up stays fast. */
const commands: Record<string, { summary: string; usage?: string; load: () => Promise<Command> }> = {
  info: {
    summary: 'describe a volume or DICOM series',
    usage: 'mosmos info <volume | dicom-dir> [--json] [--series UID]',
    load: async () => (await import('./info.js')).run,
  },
  convert: {
    summary: 'convert a DICOM series or volume to NIfTI',
    usage:
      'mosmos convert <dicom-dir | volume> <out.nii.gz> [--reorient RAS] [--series UID] [--datatype T] [--force]',
    load: async () => (await import('./convert.js')).run,
  },
  data: {
    summary: 'data check <dir>: validate a dataset folder',
    usage: 'mosmos data check <dir> [--format btcv|amos|mmwhs|brats|msd] [--modality ct|mr] [--json]',
    load: async () => (await import('./data.js')).run,
  },
  tags: {
    summary: 'organ tags with status and evidence from reports',
    usage: 'mosmos tags <report.txt | reports.jsonl> [--vocab btcv|amos|mmwhs|brats|abdomen] [--json]',
    load: async () => (await import('./tags.js')).run,
  },
  reports: {
    summary: 'reports generate <dataset-dir>: reports from label maps',
    usage:
      'mosmos reports generate <dataset-dir> --out pairs.jsonl [--format ...] [--vocab ...] [--seed N] [--force]',
    load: async () => (await import('./reports.js')).run,
  },
  pretrain: {
    summary: 'report-supervised pre-training (contrastive + MLR)',
    load: async () => (await import('./pretrain.js')).run,
  },
  finetune: {
    summary: 'fine-tune a segmentation network',
    load: async () => (await import('./finetune.js')).run,
  },
  segment: {
    summary: 'segment a volume or DICOM series',
    load: async () => (await import('./segment.js')).run,
  },
  evaluate: {
    summary: 'Dice, HD95 and surface Dice per organ',
    load: async () => (await import('./evaluate.js')).run,
  },
  cohort: {
    summary: 'grow a BTCV-layout cohort with reports from one labelled real CT',
    usage:
      'mosmos cohort --image <ct> --labels <map> [--label-names <json> | --scheme total] [--to btcv] --cases N --out <dir> [--seed N] [--spacing x,y,z | lo-hi] [--force]',
    load: async () => (await import('./cohort.js')).run,
  },
  phantom: {
    summary: 'write a synthetic abdominal CT cohort with reports (BTCV layout)',
    load: async () => (await import('./phantom.js')).run,
  },
  demo: {
    summary: 'synthetic abdomen + reports, end to end',
    load: async () => (await import('./demo.js')).run,
  },
  view: {
    summary: 'local web viewer for a volume and its segmentation',
    load: async () => (await import('./view.js')).run,
  },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return ['usage: mosmos <command> [options]', '', 'commands:', ...lines].join('\n');
}

/** Runs the command line; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 1 : 0;
  }
  if (name === '--version') {
    const { version } = await import('../version.js');
    console.log(version);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`mosmos: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  // Commands with a fixed usage line answer --help here; the others print their own, longer help.
  if (command.usage && (rest.includes('--help') || rest.includes('-h'))) {
    console.log(`usage: ${command.usage}`);
    return 0;
  }
  try {
    return await (await command.load())(rest);
  } catch (error) {
    if (error instanceof InputError) {
      console.error(`mosmos ${name}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
