import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDataset, readCaseLabel } from '../data/dataset.js';
import { writePhantomDataset } from '../phantom/dataset.js';
import { finetuneSplits, reportedOrgans } from './finetune-data.js';

const GALLBLADDER = 4; // BTCV label

test('report-coverage picks, from the reports alone, cases whose label maps hold the organs a random pick misses', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mosmos-pick-'));
  try {
    await writePhantomDataset(join(dir, 'cohort'), { cases: 40, seed: 7, size: [24, 24, 12], force: true });
    const dataset = openDataset(join(dir, 'cohort'), 'btcv');
    const organs = reportedOrgans(dataset, 'btcv');
    const hasGallbladder = async (ids: string[]) => {
      const flags = [];
      for (const id of ids) {
        const label = await readCaseLabel(dataset, dataset.cases.find((c) => c.id === id)!);
        flags.push(label.data.some((v) => v === GALLBLADDER));
      }
      return flags;
    };
    let randomMisses = 0;
    for (const seed of [0, 1, 2, 3]) {
      const picked = finetuneSplits(dataset, 1, seed, { labelledCases: 3, pick: 'report-coverage', organs });
      assert.equal(picked.splits.pick, 'report-coverage');
      assert.deepEqual(await hasGallbladder(picked.splits.train), [true, true, true], `seed ${seed}`);
      const random = finetuneSplits(dataset, 1, seed, { labelledCases: 3 });
      randomMisses += (await hasGallbladder(random.splits.train)).filter((f) => !f).length;
    }
    assert.ok(randomMisses > 0, 'the random picks all had a gallbladder: the test shows nothing');
    assert.throws(
      () => finetuneSplits(dataset, 1, 0, { labelledCases: 3, pick: 'report-coverage', organs: new Map() }),
      /no report for any training case/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
