import { needsGrad, recordGrad } from '../autograd.js';
import { runKernel1 } from '../dispatch.js';
import type { Tensor } from '../tensor.js';

/**
 * Rows of `table` [rows, dim] for integer `ids` of shape `idsShape`; output [...idsShape, dim].
 * @example embedding(tokenTable, encoded.ids, [batch, length])
 */
export function embedding(
  table: Tensor,
  ids: Int32Array,
  idsShape: readonly number[] = [ids.length],
): Tensor {
  if (table.rank !== 2) throw new Error(`embedding table must be [rows, dim], got [${table.shape}]`);
  const rows = table.shape[0]!;
  for (const id of ids) {
    if (id < 0 || id >= rows) throw new Error(`embedding id ${id} outside [0, ${rows})`);
  }
  const y = runKernel1('Gather', [table], { indices: ids, indexShape: [...idsShape] });
  if (needsGrad(table))
    recordGrad('embedding', y, [table], (dy) => [runKernel1('GatherGrad', [dy], { indices: ids, rows })]);
  return y;
}
