// Issue 13, acceptance 9: the rough edges a first-time user met, in Chromium against a real dashboard: clipped
// table headings at 1280 px, a wrong token looking like a missing one while the page kept reconnecting, no way to
// forget an offline server from the ui, and a new card's sparkline drawn as a long empty dashed line.

import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, stopAll } from '../support/processes';
import { chromiumPath, launchChromium } from './browser';
import { Feed } from './feed';
import { fleet } from './fleet';
import { DashboardPage } from './pages';

describe.skipIf(!chromiumPath)('rough edges of the ui', () => {
  let browser: Browser;
  let context: BrowserContext | undefined;
  const feeds: Feed[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    for (const feed of feeds.splice(0)) feed.close();
    await context?.close();
    await stopAll();
  });

  async function newContext(locale = 'en-US'): Promise<BrowserContext> {
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale });
    return context;
  }

  it('fits every table heading at 1280 px, in both languages (screenshot saved)', async () => {
    const dashboard = await startDashboard({ SSS_INTERVAL: '5' });
    const feed = new Feed(dashboard, fleet(6));
    feeds.push(feed);
    await feed.connect();
    feed.sendAll();
    for (const locale of ['en-US', 'zh-CN']) {
      const ui = await DashboardPage.open(await newContext(locale), `${dashboard.url}/`);
      await ui.waitForCounts({ online: 6, offline: 0 });
      const table = await ui.showTable();
      // Sorted by a figure column, its mark shows too.
      await table.sortBy('netOut');
      expect(await table.clippedHeadings()).toEqual([]);
      await ui.screenshot(`table-headings-1280-${locale}`);
      await context?.close();
    }
  });

  it('says a wrong token was rejected, apart from a missing one, and stops reconnecting', async () => {
    const dashboard = await startDashboard({ SSS_FRONTEND_TOKEN: 'the-right-token' });
    await newContext();
    const wrong = await DashboardPage.open(
      context as BrowserContext,
      `${dashboard.url}/?token=a-wrong-token`,
    );
    await wrong.waitForConnection('refused');
    expect(await wrong.tokenBanner()).toEqual({
      reason: 'token-rejected',
      text: 'The dashboard rejected the token in this address: open it with the current ?token=… (SSS_FRONTEND_TOKEN).',
    });
    // No more attempts: the first one stays the only one.
    await wrong.page.waitForTimeout(4_000);
    expect(await wrong.socketAttempts()).toHaveLength(1);
    expect(await wrong.connection()).toBe('refused');
    await wrong.screenshot('token-rejected-1280');

    const missing = await DashboardPage.open(context as BrowserContext, `${dashboard.url}/`);
    await missing.waitForConnection('refused');
    expect((await missing.tokenBanner())?.reason).toBe('token');
    // The browser itself logs the refused upgrade and the 401 of the probe; the page adds nothing.
    expect(
      wrong.consoleErrors.filter((e) => !e.includes('401') && !e.includes('HTTP Authentication failed')),
    ).toEqual([]);
  });

  it('removes an offline server from its details with the admin secret, and shows the refusal without it', async () => {
    const dashboard = await startDashboard({ SSS_INTERVAL: '0.5' });
    const feed = new Feed(dashboard, fleet(2));
    feeds.push(feed);
    await feed.connect();
    const [gone, alive] = feed.servers.map((s) => s.id) as [string, string];
    feed.keepReporting(250);
    const ui = await DashboardPage.open(await newContext(), `${dashboard.url}/`);
    await ui.waitForCounts({ online: 2, offline: 0 });

    // Online: nothing to remove.
    let details = await ui.openDetails(gone);
    expect(await details.offersRemoval()).toBe(false);
    await details.back();

    feed.silenced.add(gone);
    feed.sockets.get(gone)?.close();
    await ui.card(gone).waitForStatus('offline', 5_000);
    details = await ui.openDetails(gone);
    expect(await details.offersRemoval()).toBe(true);
    expect(await details.remove('')).toBe(
      'Not removed: removing a server needs the shared secret in X-AUTH-SECRET',
    );
    expect(await details.remove('not-the-secret')).toBe(
      'Not removed: removing a server needs the shared secret in X-AUTH-SECRET',
    );
    await ui.screenshot('remove-refused-1280');
    expect((await fetch(`${dashboard.url}/api/servers/${gone}`)).status).toBe(200);

    expect(await details.remove(dashboard.secret)).toBeUndefined();
    await ui.card(gone).root.waitFor({ state: 'detached' });
    expect(await ui.serverIdsOnCards()).toEqual([alive]);
    expect((await fetch(`${dashboard.url}/api/servers/${gone}`)).status).toBe(404);
  });

  it('draws a new card sparkline only from its second point, its grid under the points only', async () => {
    const dashboard = await startDashboard({ SSS_INTERVAL: '5' });
    const feed = new Feed(dashboard, fleet(1));
    feeds.push(feed);
    await feed.connect();
    const id = feed.servers[0]?.id as string;
    const ui = await DashboardPage.open(await newContext(), `${dashboard.url}/`);
    await ui.waitForConnection('open');
    feed.send(id);
    const card = await ui.waitForServer(id);
    await ui.page.waitForTimeout(300);
    expect(await card.sparklinePaths()).toBe(0);
    await ui.screenshot('sparkline-one-point-1280');
    feed.send(id, Date.now() / 1000 + 1);
    await expect.poll(() => card.sparklinePaths(), { timeout: 5_000 }).toBe(4);
    expect(await card.sparklinePoints()).toBe(2);
    // The grid runs under the two points only, not as a long empty dashed line across the card.
    const starts = await card.sparklineStarts();
    expect(starts.cpu).toBeGreaterThan(100);
    expect(starts.grid).toBe(starts.cpu);
    await ui.screenshot('sparkline-two-points-1280');
  });
});
