import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IGNORE, statusPerTag, tagTargets } from './tag-targets.js';

test('targets follow DESIGN.md: present/abnormal 1, absent 0, uncertain and unmentioned rare organs ignored', () => {
  const tags = ['liver', 'spleen', 'gallbladder', 'pancreas', 'left adrenal gland', 'aorta'];
  const t = tagTargets(tags, {
    liver: 'abnormal',
    spleen: 'absent',
    gallbladder: 'uncertain',
    aorta: 'present',
  });
  assert.deepEqual(Array.from(t), [1, 0, IGNORE, 1, IGNORE, 1]);
  const custom = tagTargets(tags, {}, ['left adrenal gland']);
  assert.deepEqual(Array.from(custom), [IGNORE, IGNORE, IGNORE, IGNORE, 1, IGNORE]);
});

test('several mentions collapse to the most definite status', () => {
  assert.deepEqual(
    statusPerTag([
      { tag: 'spleen', status: 'present' },
      { tag: 'spleen', status: 'absent' },
      { tag: 'liver', status: 'uncertain' },
      { tag: 'liver', status: 'abnormal' },
    ]),
    { spleen: 'absent', liver: 'abnormal' },
  );
});
