/**
 * Plans for training runs: read a plan a user made with `mosmos plan`, or fingerprint and plan the
 * dataset on the spot (as `nnUNetv2_plan_and_preprocess` does before training), then apply the
 * command line's overrides. Runs write the plan they used into their folder (`plans.json`), so a
 * result can be traced to every planned value.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileError } from '../errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { type DatasetFormat, openDataset } from './dataset.js';
import { extractFingerprint, type FingerprintOptions } from './fingerprint.js';
import {
  type ExperimentPlan,
  type PlanConfigurationName,
  type PlannedSettings,
  type PlannerSettings,
  planExperiment,
  planToFinetuneSettings,
} from './plan.js';
import type { IntensitySetting } from './preprocess.js';

export const PLAN_FILE = 'plans.json';

/** Reads and checks a plan file; errors name the file. */
export function readPlan(path: string): ExperimentPlan {
  if (!existsSync(path))
    throw fileError(path, 'plan not found (make one with mosmos plan --data <dir> --out plans.json)');
  let plan: ExperimentPlan;
  try {
    plan = JSON.parse(readFileSync(path, 'utf8')) as ExperimentPlan;
  } catch (error) {
    throw fileError(path, `not valid JSON (${(error as Error).message})`);
  }
  if (plan?.format !== 'mosmos-plan' || !plan.configurations?.['2d'] || !Array.isArray(plan.spacing))
    throw fileError(path, 'not a mosmos plan (expected "format": "mosmos-plan" with configurations)');
  return plan;
}

/** Writes a plan as indented JSON. */
export function writePlan(path: string, plan: ExperimentPlan, options: { force?: boolean } = {}): void {
  writeFileAtomic(path, `${JSON.stringify(plan, null, 2)}\n`, { force: options.force ?? false });
}

export interface PlanSource extends FingerprintOptions {
  format?: DatasetFormat;
  /** An existing plans.json; without it the dataset is planned now. */
  planPath?: string;
  planner?: Partial<PlannerSettings>;
}

/**
 * Values given on the command line, which win over the plan's. A single intensity setting for a
 * multi-channel plan applies to every channel (`--intensity zscore` on BraTS keeps its 4 channels).
 */
export interface PlanOverrides {
  spacing?: [number, number, number];
  patch?: number[];
  batch?: number;
  widths?: number[];
  intensity?: IntensitySetting | IntensitySetting[];
}

/**
 * The plan for a run and the settings it gives `configuration`, overrides applied.
 *
 * @example
 * const { plan, settings } = await resolvePlan('/data/BTCV', { format: 'btcv' }, '2d', { batch: 4 });
 */
export async function resolvePlan(
  dataDir: string,
  source: PlanSource,
  configuration: PlanConfigurationName,
  overrides: PlanOverrides = {},
): Promise<{ plan: ExperimentPlan; settings: PlannedSettings }> {
  const plan =
    source.planPath !== undefined
      ? readPlan(source.planPath)
      : planExperiment(await extractFingerprint(openDataset(dataDir, source.format), source), source.planner);
  const planned = planToFinetuneSettings(plan, configuration);
  const widths = overrides.widths ?? planned.widths;
  const single = overrides.intensity !== undefined && !Array.isArray(overrides.intensity);
  const intensity =
    single && plan.inputChannels > 1
      ? Array.from({ length: plan.inputChannels }, () => overrides.intensity as IntensitySetting)
      : (overrides.intensity ?? planned.preprocess.intensity);
  return {
    plan,
    settings: {
      ...planned,
      preprocess: {
        spacing: overrides.spacing ?? planned.preprocess.spacing,
        intensity,
      },
      patch: overrides.patch ?? planned.patch,
      batch: overrides.batch ?? planned.batch,
      widths,
      stages: widths.length,
    },
  };
}
