import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import { writeNifti } from '../io/nifti/index.js';
import { generatePhantom } from '../phantom/generate.js';
import { run } from './view.js';

const root = resolve(fileURLToPath(import.meta.url), '..', '..', '..');

describe('mosmos view (command line)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'mosmos-view-cli-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('rejects a missing volume and unknown options', async () => {
    await assert.rejects(
      run([]),
      (e) => e instanceof InputError && /expected <volume \| dicom-dir>/.test(e.message),
    );
    await assert.rejects(run(['a.nii.gz', '--colour', 'red']), /unknown option --colour/);
    await assert.rejects(run(['a.nii.gz', '--port', 'x']), /--port: expected a number/);
    await assert.rejects(run(['a.nii.gz', '--no-open']), /a\.nii\.gz: no such file/);
  });

  it('prints its URL, serves the page and stops cleanly on Ctrl-C', async () => {
    const phantom = generatePhantom({ seed: 2, size: [24, 24, 12] });
    const ct = join(tmp, 'ct.nii.gz');
    const seg = join(tmp, 'seg.nii.gz');
    await writeNifti(ct, phantom.image);
    await writeNifti(seg, phantom.label);
    const runner = join(tmp, 'run.mjs');
    writeFileSync(
      runner,
      `const { main } = await import(${JSON.stringify(join(root, 'src', 'cli', 'main.ts'))});\n` +
        'process.exitCode = await main(process.argv.slice(2));\n',
    );
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', runner, 'view', ct, '--seg', seg, '--port', '0', '--no-open'],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = await new Promise<string>((resolveUrl, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const match = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (match) resolveUrl(match[1]!);
      });
      child.on('exit', (code) => reject(new Error(`exited with ${code} before printing a URL: ${stderr}`)));
    });
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /liver/);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGINT');
    assert.equal(await exited, 0, stderr);
  });
});
