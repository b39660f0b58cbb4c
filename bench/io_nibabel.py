"""Reference timings for bench/io.ts: nibabel reading and writing the same volume.

Usage: /usr/bin/python3 bench/io_nibabel.py <volume.nii> <out-dir> <repeats>
Prints one JSON object: best-of-N milliseconds for each operation.
"""
import json
import os
import sys
import time

import nibabel as nib
import numpy as np

source, out_dir, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
reference = nib.load(source)
data = np.asanyarray(reference.dataobj)  # int16, no scaling (slope 1, intercept 0)
image = nib.Nifti1Image(data, reference.affine)


def best(fn, setup=None):
    times = []
    for _ in range(repeats):
        if setup:
            setup()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def read(path):
    def load():
        # mmap=False: read the voxels into memory, as mosmos does (a memmap would defer the reading).
        array = np.asanyarray(nib.load(path, mmap=False).dataobj)
        assert array.shape == data.shape
    return load


results = {}
for ext in ('nii.gz', 'nii'):
    path = os.path.join(out_dir, f'nibabel.{ext}')
    # Each write creates a new file, as in bench/io.ts.
    results[f'write .{ext}'] = best(lambda: nib.save(image, path), lambda: os.path.exists(path) and os.remove(path))
    results[f'read .{ext}'] = best(read(path))
print(json.dumps({'nibabel': nib.__version__, 'ms': results}))
