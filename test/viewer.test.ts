// End to end: `startViewer` on a small phantom, opened in headless Chromium (Debian's, driven by
// playwright-core; never a downloaded browser). Skipped with a reason where /usr/bin/chromium is absent.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { writeNifti } from '../src/io/nifti/index.js';
import { BTCV_LABEL_NAMES, generatePhantom } from '../src/phantom/index.js';
import { startViewer, type Viewer } from '../src/viewer/server.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} not found (apt-get install chromium)`;
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // niivue needs WebGL2; without a GPU, Chromium provides it through SwiftShader (software).
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

// Colour statistics of PNG screenshots, computed by the browser's own decoder in a blank page. Kept as
// source text: the test's TypeScript compiler adds helpers to named functions that the page lacks.
const PIXEL_STATS = `
window.pixelStats = async (a, b) => {
  const decode = async (b64) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const canvas = new OffscreenCanvas(img.width, img.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    return ctx.getImageData(0, 0, img.width, img.height).data;
  };
  const pa = await decode(a);
  const pb = b ? await decode(b) : undefined;
  let coloured = 0, bright = 0, differing = 0;
  for (let i = 0; i < pa.length; i += 4) {
    const r = pa[i], g = pa[i + 1], bl = pa[i + 2];
    if (Math.max(r, g, bl) - Math.min(r, g, bl) > 40) coloured++;
    if (r + g + bl > 150) bright++;
    if (pb && Math.abs(r - pb[i]) + Math.abs(g - pb[i + 1]) + Math.abs(bl - pb[i + 2]) > 30) differing++;
  }
  return { pixels: pa.length / 4, coloured, bright, differing };
};`;

interface PixelStats {
  pixels: number;
  coloured: number;
  bright: number;
  differing: number;
}

async function pixelStats(page: Page, png: Buffer, other?: Buffer): Promise<PixelStats> {
  return page.evaluate(
    ([a, b]) =>
      (window as unknown as { pixelStats: (a: string, b?: string) => Promise<PixelStats> }).pixelStats(a, b),
    [png.toString('base64'), other?.toString('base64')] as [string, string | undefined],
  );
}

describe('mosmos view in headless Chromium', { skip }, () => {
  let tmp: string;
  let viewer: Viewer;
  let browser: Browser;
  let page: Page;
  let scratch: Page;
  const errors: string[] = [];

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'mosmos-view-'));
    const phantom = generatePhantom({ seed: 3, size: [64, 64, 32], variation: 0 });
    await writeNifti(join(tmp, 'ct.nii.gz'), phantom.image);
    await writeNifti(join(tmp, 'seg.nii.gz'), phantom.label);
    // An attention map: the liver's mask as a float map, the shape the pre-trained model writes.
    mkdirSync(join(tmp, 'attention'));
    const liver = Float32Array.from(phantom.label.data, (l) => (l === 6 ? 1 : 0));
    await writeNifti(join(tmp, 'attention', 'attention_liver.nii.gz'), {
      ...phantom.label,
      data: liver,
      datatype: 'float32',
    });
    viewer = await startViewer({
      volume: join(tmp, 'ct.nii.gz'),
      seg: join(tmp, 'seg.nii.gz'),
      attention: join(tmp, 'attention'),
      port: 0,
    });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1000, height: 640 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    scratch = await browser.newPage();
    await scratch.addScriptTag({ content: PIXEL_STATS });
    // The page must not reach anything but the viewer's own server (it works offline).
    await page.route('**/*', (route) =>
      route.request().url().startsWith(viewer.url) ? route.continue() : route.abort(),
    );
    await page.goto(viewer.url);
    await page.waitForFunction(() => document.documentElement.dataset.state !== undefined, undefined, {
      timeout: 60_000,
    });
  });

  after(async () => {
    await browser?.close();
    await viewer?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('loads the volume and the segmentation with niivue', async () => {
    const state = await page.evaluate(() => document.documentElement.dataset.state);
    const status = await page.textContent('#status');
    assert.equal(state, 'ready', `viewer state ${state}: ${status}; page errors: ${errors.join(' | ')}`);
    const count = await page.evaluate(
      () =>
        (window as unknown as { mosmosViewer: { nv: { volumes: unknown[] } } }).mosmosViewer.nv.volumes
          .length,
    );
    assert.equal(count, 3);
  });

  it('lists every organ of the segmentation in the legend', async () => {
    const names = await page.$$eval('#legend li', (items) => items.map((li) => li.textContent?.trim()));
    assert.deepEqual(names, Object.values(BTCV_LABEL_NAMES));
  });

  it('renders the overlay: the picture changes and gains colour with opacity', async () => {
    const canvas = page.locator('#gl');
    await page.waitForTimeout(300);
    const withOverlay = await canvas.screenshot();
    await page.$eval('#opacity', (el) => {
      (el as HTMLInputElement).value = '0';
      el.dispatchEvent(new Event('input'));
    });
    await page.waitForTimeout(300);
    const plain = await canvas.screenshot();
    const a = await pixelStats(scratch, withOverlay, plain);
    const b = await pixelStats(scratch, plain);
    // The plain CT is greyscale (bar the crosshair and orientation text); organ colours add thousands
    // of saturated pixels. The bounds are loose: the picture size depends on the window.
    assert.ok(b.bright > 0.02 * b.pixels, `the volume itself is not drawn (${b.bright} bright pixels)`);
    assert.ok(a.coloured > b.coloured + 2000, `overlay colour: ${a.coloured} vs ${b.coloured} pixels`);
    assert.ok(a.differing > 2000, `only ${a.differing} pixels change with the overlay`);
    await page.$eval('#opacity', (el) => {
      (el as HTMLInputElement).value = '0.5';
      el.dispatchEvent(new Event('input'));
    });
  });

  it('names the organ under the crosshair', async () => {
    await page.click('#legend li[data-label="1"]');
    await page.waitForFunction(() => document.getElementById('picked')?.dataset.label !== undefined);
    const picked = await page.textContent('#picked');
    assert.match(picked ?? '', /^spleen · value /);
  });

  it('switches attention maps on and off', async () => {
    const canvas = page.locator('#gl');
    const before = await canvas.screenshot();
    await page.check('#attention input[value="liver"]');
    await page.waitForTimeout(300);
    const withMap = await canvas.screenshot();
    const stats = await pixelStats(scratch, withMap, before);
    assert.ok(stats.differing > 1000, `attention map changed only ${stats.differing} pixels`);
    // The readout gives the shown map's value: the map is the liver's mask, so 0 in the spleen.
    await page.click('#legend li[data-label="1"]');
    assert.match(
      (await page.textContent('#picked')) ?? '',
      /^spleen · value -?\d+(\.\d)? · attention 0\.00 · /,
    );
    await page.check('#attention input[value="none"]');
    assert.deepEqual(errors, []);
  });
});
