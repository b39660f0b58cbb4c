import { writeSyntheticPairs } from './synthetic-pairs.js';

await writeSyntheticPairs(process.argv[2]!, {
  cases: Number(process.argv[3] ?? 12),
  seed: 3,
  size: 16,
  slices: 4,
});
