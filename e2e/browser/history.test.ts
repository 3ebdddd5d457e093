// History that lasts, in Chromium: a dashboard started on a data folder holding 31 days of seeded history (its own
// SQLite store, written on a test clock), one server reporting live and one that went away two hours ago. The
// range picker asks once per choice and draws what the tier answered; outages break the lines.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerHistory } from '@sss/protocol';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dashboard, startDashboard, stopAll } from '../support/processes';
import { chromiumPath, launchChromium } from './browser';
import { Feed } from './feed';
import { fleet } from './fleet';
import { seedHistory } from './history-seed';
import { DashboardPage, type DetailsPage } from './pages';

const HOUR = 3600;
const [live, gone] = fleet(2) as [ReturnType<typeof fleet>[number], ReturnType<typeof fleet>[number]];

/** Points each range draws from 31 days of 15 s reports with outages of 3 h (24 h ago), 6 h (3 d) and 2 d (12 d). */
const expected = {
  '6h': { tier: '1m', points: 6 * 60, cpuLines: 1 },
  '24h': { tier: '1m', points: 24 * 60 - 3 * 60, cpuLines: 2 },
  '7d': { tier: '15m', points: 7 * 96 - 24 - 12, cpuLines: 3 },
  '30d': { tier: '15m', points: 30 * 96 - 192 - 24 - 12, cpuLines: 4 },
} as const;

describe.skipIf(!chromiumPath)('history in Chromium', () => {
  let browser: Browser;
  let dashboard: Dashboard;
  let feed: Feed;
  const dir = mkdtempSync(join(tmpdir(), 'sss-history-ui-'));

  beforeAll(async () => {
    const now = Math.floor(Date.now() / 1000);
    seedHistory(dir, [
      { server: live, end: now - 1 },
      { server: gone, end: now - 2 * HOUR },
    ]);
    dashboard = await startDashboard({ SSS_INTERVAL: '0.5', SSS_DATA_DIR: dir });
    feed = new Feed(dashboard, [live]);
    await feed.connect();
    feed.keepReporting(500);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    feed?.close();
    await browser?.close();
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  async function openDetails(
    colorScheme: 'light' | 'dark',
    locale: string,
  ): Promise<{ context: BrowserContext; ui: DashboardPage; details: DetailsPage }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme, locale });
    const ui = await DashboardPage.open(context, `${dashboard.url}/`);
    await ui.waitForServer(live.id);
    return { context, ui, details: await ui.openDetails(live.id) };
  }

  /** Picks a range and returns the dashboard's answer to the one request it makes. */
  async function pick(ui: DashboardPage, details: DetailsPage, range: string, how?: 'click' | 'keyboard') {
    const response = ui.page.waitForResponse((r) => r.url().includes(`/history?range=${range}`), {
      timeout: 5_000,
    });
    await details.pickRange(range, how);
    const answer = (await (await response).json()) as ServerHistory;
    return { answer, shown: await details.waitForHistory(range) };
  }

  /** The ranges the details view asked for, in order (the card's sparkline asks by limit, not by range). */
  const rangeRequests = (ui: DashboardPage) =>
    ui.requests
      .filter((url) => url.includes(`/api/servers/${live.id}/history`))
      .map((url) => new URL(url).searchParams.get('range'))
      .filter((range) => range !== null);

  it('lists the server that went away as offline since then, from the store', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    try {
      const ui = await DashboardPage.open(context, `${dashboard.url}/`);
      const card = await ui.waitForServer(gone.id);
      expect(await card.status()).toBe('offline');
      expect(await card.lastSeen()).toContain('2 h ago');
    } finally {
      await context.close();
    }
  });

  it('switches ranges with one request each and draws the tier each range calls for, gaps and maxima', async () => {
    const { context, ui, details } = await openDetails('light', 'en-US');
    try {
      expect(await details.ranges()).toEqual([
        { range: '1h', label: '1 h', pressed: true },
        { range: '6h', label: '6 h', pressed: false },
        { range: '24h', label: '24 h', pressed: false },
        { range: '7d', label: '7 d', pressed: false },
        { range: '30d', label: '30 d', pressed: false },
      ]);
      // The last hour: what the dashboard answered, then every live report after it.
      const hour = await details.waitForHistory('1h');
      expect(hour.points).toBeGreaterThan(0);
      expect(rangeRequests(ui)).toEqual(['1h']);

      for (const range of ['6h', '24h', '7d', '30d'] as const) {
        const { answer, shown } = await pick(ui, details, range, range === '7d' ? 'keyboard' : 'click');
        expect(answer.tier, range).toBe(expected[range].tier);
        expect(shown).toEqual({ tier: answer.tier, points: answer.t.length });
        // The seed's minutes and quarters, give or take a partly filled one at each end of the window and of each
        // outage (outages do not start on a quarter hour).
        expect(Math.abs(shown.points - expected[range].points), range).toBeLessThanOrEqual(5);
        const charts = await details.charts();
        const cpu = charts.find((c) => c.title === 'CPU usage');
        expect(cpu?.segments, range).toEqual([expected[range].cpuLines]);
        expect(
          charts.every((c) => c.band),
          range,
        ).toBe(true);
        expect((await details.ranges()).filter((r) => r.pressed).map((r) => r.range)).toEqual([range]);
      }
      const charts = await details.charts();
      // Over 30 days the x axis shows dates; the load chart also breaks where the agent sent no load average.
      for (const label of charts[0]?.xLabels ?? []) expect(label).toMatch(/^[A-Z][a-z]{2} \d{1,2}$/);
      expect(charts.find((c) => c.title.startsWith('Load average'))?.segments).toEqual([5]);
      expect(rangeRequests(ui)).toEqual(['1h', '6h', '24h', '7d', '30d']);
      // Pointing at a 15-minute point reads its day and time, its average and its maximum.
      const [time, cpuRead] = await details.readOutAt(0.25);
      expect(time).toMatch(/^[A-Z][a-z]{2} \d{1,2} \d\d:\d\d$/);
      expect(cpuRead).toMatch(/^CPU \d+(\.\d)?% max \d+(\.\d)?%$/);

      // A quick change of mind: the answer shown is the last one asked for, whatever order the answers come in.
      await details.pickRange('6h');
      const { shown } = await pick(ui, details, '30d');
      expect(shown.tier).toBe('15m');
      expect(Math.abs(shown.points - expected['30d'].points)).toBeLessThanOrEqual(5);
      expect(rangeRequests(ui)).toEqual(['1h', '6h', '24h', '7d', '30d', '6h', '30d']);

      // Back to the last hour: the live tail goes on.
      await pick(ui, details, '1h');
      const before = (await details.waitForHistory('1h')).points;
      await ui.page.waitForFunction(
        (n) => Number(document.querySelector('.charts')?.getAttribute('data-points')) > n,
        before,
        { timeout: 5_000 },
      );
      expect(ui.consoleErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  for (const [colorScheme, locale] of [
    ['light', 'en-US'],
    ['dark', 'zh-CN'],
  ] as const) {
    it(`draws 24 h and 30 d in the ${colorScheme} theme (${locale}), screenshots saved`, async () => {
      const { context, ui, details } = await openDetails(colorScheme, locale);
      try {
        const zh = locale === 'zh-CN';
        expect((await details.ranges()).map((r) => r.label)).toEqual(
          zh ? ['1 小时', '6 小时', '24 小时', '7 天', '30 天'] : ['1 h', '6 h', '24 h', '7 d', '30 d'],
        );
        await pick(ui, details, '24h');
        for (const label of (await details.charts())[0]?.xLabels ?? []) expect(label).toMatch(/^\d\d:\d\d$/);
        expect(await ui.overflows()).toEqual([]);
        await ui.screenshot(`history-24h-${colorScheme}`);
        await details.screenshotHistory(`history-24h-charts-${colorScheme}`);
        await pick(ui, details, '30d');
        for (const label of (await details.charts())[0]?.xLabels ?? [])
          expect(label).toMatch(zh ? /^\d{1,2}月\d{1,2}日$/ : /^[A-Z][a-z]{2} \d{1,2}$/);
        expect(await ui.overflows()).toEqual([]);
        await ui.screenshot(`history-30d-${colorScheme}`);
        await details.screenshotHistory(`history-30d-charts-${colorScheme}`);
        expect(ui.consoleErrors).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }
});
