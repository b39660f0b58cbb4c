/**
 * The options both training commands (`finetune`, `pretrain`) take, declared once and spread into
 * their specs: the run folder (`--time-budget`, `--max-steps`, `--plan`, `--no-plan`, `--resume`, `--force`) and the
 * preprocessing a plan decides (`--spacing`, `--intensity`, `--window`). Only the help's wording of
 * where a default comes from differs between the commands.
 */

/** Run-folder options; `planned` says what is planned when no --plan is given. */
export const runFolderOptions = (planned: string, forced: string) =>
  [
    {
      name: 'time-budget',
      type: 'number',
      value: 'MIN',
      help: 'train at most MIN minutes: steps planned from the measured step time, the schedule spans them (epochs are then ignored)',
    },
    { name: 'max-steps', type: 'number', value: 'N', help: 'stop after N steps in this invocation' },
    {
      name: 'plan',
      type: 'string',
      value: 'plans.json',
      help: `settings from mosmos plan (default: plan ${planned}, as nnU-Net)`,
    },
    { name: 'no-plan', type: 'flag', help: 'do not plan: the defaults' },
    { name: 'resume', type: 'flag', help: 'continue the run in --out exactly' },
    { name: 'force', type: 'flag', help: `move an existing ${forced} aside and start a new one` },
  ] as const;

/** Preprocessing overrides; `otherwise` names the default after the plan's. */
export const preprocessOptions = (otherwise: { spacing: string; intensity: string }) =>
  [
    {
      name: 'spacing',
      type: 'string',
      value: 'x,y,z',
      help: `voxel size in mm (default: the plan's, else ${otherwise.spacing})`,
    },
    {
      name: 'intensity',
      type: 'string',
      choices: ['ct', 'zscore', 'auto'],
      help: `intensity normalisation (default: the plan's, else ${otherwise.intensity})`,
    },
    {
      name: 'window',
      type: 'string',
      value: 'min,max',
      help: 'CT window in HU with --intensity ct (default -175,250)',
    },
  ] as const;
