import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { collectResults, writeReport } from '../../src/report/index.js';
import { REPO_ROOT, scratch, writeJson } from '../pipeline/helpers.js';
import { blobsManifest, extrasPath, HOSTILE, skipStageIntervention, topExamplesFor, trainAttributeValidate } from './fixtures.js';

// The real page in a real browser: a blobs run, attributed and validated with every subset, its
// report opened from disk in headless Chromium with the network cut off.

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium; .ci/run does) to run the browser test`;

describe('report.html in headless Chromium', { skip }, () => {
  let context: BrowserContext;
  let page: Page;
  let blamed: string;
  let scatterCount: number;
  const consoleErrors: string[] = [];
  const dialogs: string[] = [];
  const requests: string[] = [];
  const blocked: string[] = [];

  before(async () => {
    const root = scratch('stagecredit-report-browser-');
    const dir = join(root, 'run');
    const manifest = blobsManifest(`Description with markup that must stay text: ${HOSTILE}`);
    (manifest.stages as { description?: string }[])[1].description = `second draw ${HOSTILE}`;
    const run = await trainAttributeValidate(dir, manifest);
    const plain = collectResults(dir);
    const name = plain.headline!.blamedStage ?? plain.headline!.creditedStage!;
    blamed = name;
    const k = plain.run.stages.findIndex((s) => s.name === name);
    writeJson(extrasPath(dir), { topExamples: topExamplesFor(run, k), intervention: skipStageIntervention(run, k) });
    scatterCount = plain.validation!.estimates.length;
    const { html } = writeReport(dir);

    const { chromium } = await import('playwright-core');
    // A fresh profile per run; Playwright takes it as launchPersistentContext's directory.
    context = await chromium.launchPersistentContext(join(root, 'profile'), {
      executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1200, height: 900 },
    });
    page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    page.on('request', (r) => requests.push(r.url()));
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(html).href);
    await page.waitForSelector('html[data-charts="ready"]', { timeout: 15000 });
  });

  after(async () => {
    await context?.close();
  });

  it('loads without console errors or dialogs', () => {
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(dialogs, []);
  });

  it('requests nothing beyond the file itself (and inline data URIs)', () => {
    assert.deepEqual(blocked, []);
    const others = requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'));
    assert.deepEqual(others, []);
    assert.ok(requests.some((u) => u.startsWith('file:')), 'the page itself was requested');
  });

  it('draws every chart: each canvas has non-blank pixels', async () => {
    const canvases = await page.$$eval('canvas', (cs) => cs.map((c) => {
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
      return { id: c.id, width: c.width, height: c.height, painted };
    }));
    assert.equal(canvases.length, 1 + scatterCount + 1, `canvases: ${canvases.map((c) => c.id).join(', ')}`);
    for (const c of canvases) {
      assert.ok(c.width > 100 && c.height > 100, `${c.id}: size ${c.width}x${c.height}`);
      assert.ok(c.painted > 500, `${c.id}: only ${c.painted} painted pixels`);
    }
  });

  it('names the blamed stage in the visible headline', async () => {
    const headline = page.locator('#headline');
    assert.ok(await headline.isVisible());
    assert.ok((await headline.innerText()).includes(`“${blamed}”`), await headline.innerText());
  });

  it('shows the example images (decoded PNGs) and hostile text as text', async () => {
    const images = await page.$$eval('.example img', (imgs) => imgs.map((i) => ({ complete: (i as HTMLImageElement).complete, w: (i as HTMLImageElement).naturalWidth, h: (i as HTMLImageElement).naturalHeight })));
    assert.equal(images.length, 8);
    for (const im of images) assert.ok(im.complete && im.w === 8 && im.h === 1, JSON.stringify(im));
    assert.ok((await page.locator('.description').innerText()).includes('<script>alert(1)</script>'));
    assert.equal(await page.locator('script').count(), 3);
  });

  it('draws the estimate\'s intervals and labels every stage with how its number was obtained', async () => {
    const data = JSON.parse(await page.locator('#report-data').textContent() ?? '{}');
    assert.equal(data.effects.tags.length, data.effects.stages.length);
    for (const t of data.effects.tags) assert.match(t, /^(exact \(replayed\)|±\S+ (high|medium|low)|estimated, no interval)$/);
    assert.ok(data.scatters.every((s: { unit: string }) => s.unit.length > 0), 'scatter axes have units');
    const how = await page.$$eval('#effects td.how', (tds) => tds.map((t) => (t as HTMLElement).innerText));
    assert.equal(how.length, data.effects.stages.length);
    for (const h of how) assert.match(h, /^(exact \(replayed\)|estimated, grade (high|medium|low)|estimated)$/);
  });

  it('fits every table in an 800 px wide window (no hidden last column)', async () => {
    await page.setViewportSize({ width: 800, height: 900 });
    const overflow = await page.$$eval('.table-wrap', (ws) => ws.map((w) => ({ scroll: w.scrollWidth, client: w.clientWidth, text: (w.textContent ?? '').slice(0, 60) }))
      .filter((w) => w.scroll > w.client + 1));
    await page.setViewportSize({ width: 1200, height: 900 });
    assert.deepEqual(overflow, []);
  });

  it('saves a full-page screenshot to test-artifacts/report.png', async () => {
    const dir = join(REPO_ROOT, 'test-artifacts');
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, 'report.png'), fullPage: true });
    assert.ok(existsSync(join(dir, 'report.png')));
  });
});
