// The ui in Debian's Chromium against a real dashboard process fed by real reporter WebSockets.
// SSS_INTERVAL=0.5 makes the offline window (3 x interval) 1.5 s.

import type { ServerInfo } from '@sss/protocol';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FrontendClient } from '../support/clients';
import { type Dashboard, startDashboard, stopAll } from '../support/processes';
import { chromiumPath, launchChromium } from './browser';
import { Feed } from './feed';
import { fleet } from './fleet';
import { DashboardPage } from './pages';

const INTERVAL = '0.5';
const OFFLINE_WINDOW_MS = 1_500;

describe.skipIf(!chromiumPath)('ui in Chromium', () => {
  let browser: Browser;
  let context: BrowserContext;
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

  async function setUp(
    servers: number,
    options: { env?: Record<string, string>; colorScheme?: 'light' | 'dark'; locale?: string } = {},
  ): Promise<{ dashboard: Dashboard; feed: Feed }> {
    const dashboard = await startDashboard({ SSS_INTERVAL: INTERVAL, ...options.env });
    const feed = new Feed(dashboard, fleet(servers));
    feeds.push(feed);
    await feed.connect();
    context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      colorScheme: options.colorScheme ?? 'light',
      locale: options.locale ?? 'en-US',
    });
    return { dashboard, feed };
  }

  it('loads everything from the dashboard itself: no request leaves its origin, nothing breaks the CSP', async () => {
    const { dashboard, feed } = await setUp(8);
    feed.keepReporting(250);
    const ui = await DashboardPage.open(context, `${dashboard.url}/`);
    const card = await ui.waitForServer('hk-web-01');
    expect(await card.flagSource()).toMatch(new RegExp(`^${dashboard.url}/assets/HK-[\\w-]+\\.svg$`));
    await ui.page.waitForFunction(() =>
      Array.from(document.querySelectorAll<HTMLImageElement>('img.flag')).every(
        (img) => img.complete && img.naturalWidth > 0,
      ),
    );
    const details = await ui.openDetails('hk-web-01');
    expect(await details.title()).toBe('HK web 01');
    await ui.page.locator('.chart-line').first().waitFor({ state: 'attached' });

    const origin = new URL(dashboard.url).host;
    const foreign = ui.requests.filter((url) => new URL(url).host !== origin);
    expect(ui.requests.some((url) => url.endsWith('/ws-frontend'))).toBe(true);
    expect(ui.requests.some((url) => url.includes('/api/servers/hk-web-01/history'))).toBe(true);
    expect(foreign).toEqual([]);
    expect(await ui.cspViolations()).toEqual([]);
    expect(ui.consoleErrors).toEqual([]);
  });

  it('shows a server within 1 s of its first report and follows its values live', async () => {
    const { dashboard, feed } = await setUp(1);
    const ui = await DashboardPage.open(context, `${dashboard.url}/`);
    await ui.waitForConnection('open');
    const id = feed.servers[0]?.id as string;
    // The card's arrival, by the page's clock (Date.now(): this machine's, as here): on a busy machine Playwright's
    // polling and round trips, no part of the ui's second, made a 1 s wait for the card miss it.
    await ui.page.evaluate((serverId) => {
      const page = window as unknown as { __cardAt?: number };
      new MutationObserver((_, observer) => {
        if (!document.querySelector(`.card[data-server-id="${serverId}"]`)) return;
        page.__cardAt = Date.now();
        observer.disconnect();
      }).observe(document.body, { childList: true, subtree: true });
    }, id);

    const sentAt = Date.now();
    feed.send(id, sentAt / 1000, (info) => ({ ...info, cpu: { ...info.cpu, percent: 12.4 } }));
    const card = await ui.waitForServer(id, 10_000);
    const shownAt = await ui.page.evaluate(() => (window as unknown as { __cardAt?: number }).__cardAt);
    expect((shownAt ?? Number.NaN) - sentAt).toBeLessThan(1_000);
    expect(await card.meter('cpu')).toEqual({ text: '12%', level: 'ok' });
    expect(await card.status()).toBe('online');

    feed.send(id, Date.now() / 1000, (info) => ({
      ...info,
      cpu: { ...info.cpu, percent: 76 },
      network: { ...info.network, inSpeed: 3 * 1024 * 1024, outSpeed: 1536 },
    }));
    await card.waitForMeter('cpu', '76%');
    expect((await card.meter('cpu')).level).toBe('warn');
    expect(await card.text('netIn')).toBe('3.00 MiB/s');
    expect(await card.text('netOut')).toBe('1.50 KiB/s');

    feed.send(id, Date.now() / 1000, (info) => ({ ...info, cpu: { ...info.cpu, percent: 95.2 } }));
    await card.waitForMeter('cpu', '95%');
    expect((await card.meter('cpu')).level).toBe('crit');
    expect(await ui.counts()).toEqual({ total: 1, online: 1, offline: 0 });
    expect(await ui.page.title()).toBe('1/1 Online · Server Status');
    // Each live report also extends the sparkline.
    expect(await card.sparklinePoints()).toBeGreaterThanOrEqual(3);
  });

  it('marks a reporter that stopped sending offline within the offline window, and drops a removed server', async () => {
    // A 2 s interval (a 6 s offline window): the upper bound below then leaves a busy machine up to one interval
    // for the sweep, the push and the rendering, and still fails a dashboard that waited a 4th interval.
    const intervalMs = 2_000;
    const windowMs = 3 * intervalMs;
    const { dashboard, feed } = await setUp(2, { env: { SSS_INTERVAL: String(intervalMs / 1000) } });
    const ui = await DashboardPage.open(context, `${dashboard.url}/`);
    await ui.waitForConnection('open');
    const [quiet, gone] = feed.servers.map((s) => s.id) as [string, string];
    // When the card turns offline, by the page's clock (Date.now(): this machine's, as the dashboard's lastSeen):
    // Playwright's polling on a busy machine is no part of the ui's delay.
    await ui.page.evaluate((serverId) => {
      const page = window as unknown as { __offlineAt?: number };
      new MutationObserver((_, observer) => {
        if (!document.querySelector(`.card[data-server-id="${serverId}"] .status[data-status="offline"]`))
          return;
        page.__offlineAt = Date.now();
        observer.disconnect();
      }).observe(document.body, { childList: true, subtree: true, attributes: true });
    }, quiet);
    // The dashboard's receipt of the last report (lastSeen), from its own message.
    const watcher = new FrontendClient(dashboard.wsUrl);
    await watcher.open();
    feed.sendAll();
    const reported = await watcher.waitFor((m) => m.serverId === quiet && m.online, 10_000);
    watcher.close();
    const lastSeenMs = reported.info.lastSeen * 1000;
    const card = await ui.waitForServer(quiet, 10_000);
    await ui.waitForServer(gone, 10_000);
    await ui.waitForCounts({ online: 2, offline: 0 });

    // The reporter stays connected but sends nothing more: offline once 3 intervals have passed, not before.
    await card.waitForStatus('offline', windowMs + 10_000);
    const offlineAt = await ui.page.evaluate(
      () => (window as unknown as { __offlineAt?: number }).__offlineAt,
    );
    const after = (offlineAt ?? Number.NaN) - lastSeenMs;
    expect(after).toBeGreaterThanOrEqual(windowMs);
    expect(after).toBeLessThan(windowMs + intervalMs);
    expect(await card.root.getAttribute('class')).toContain('offline');

    const response = await fetch(`${dashboard.url}/api/servers/${gone}`, {
      method: 'DELETE',
      headers: { 'X-AUTH-SECRET': dashboard.secret },
    });
    expect(response.status).toBe(204);
    await ui.card(gone).root.waitFor({ state: 'detached' });
    expect(await ui.counts()).toEqual({ total: 1, online: 0, offline: 1 });
  });

  it('reconnects by itself after a dashboard restart, backing off, without reloading', async () => {
    // The first dashboard picks its port itself (no port found free, then taken by another process before the
    // dashboard binds it); the restarted one takes the same, which the page reconnects to.
    const { dashboard, feed } = await setUp(2);
    const [id, forgotten] = feed.servers.map((s) => s.id) as [string, string];
    feed.sendAll();
    const ui = await DashboardPage.open(context, `${dashboard.url}/`);
    await ui.waitForServer(id);
    await ui.waitForServer(forgotten);
    await ui.waitForConnection('open');
    await ui.markDocument();

    feed.close();
    await dashboard.stop();
    await ui.waitForConnection('waiting');
    await ui.page.locator('.banner').waitFor();
    expect(await ui.looksStale()).toBe(true);
    // Stay down long enough for several attempts: 1 s, 1.5 s, 2.25 s (each up to 20% shorter).
    await ui.page.waitForTimeout(5_000);

    const restarted = await startDashboard({
      SSS_INTERVAL: INTERVAL,
      SSS_PORT: String(dashboard.port),
      SSS_AUTH_SECRET: dashboard.secret,
    });
    // Only one of the two reports to the new dashboard: the other is unknown to it and leaves the page.
    const again = new Feed(restarted, feed.servers.slice(0, 1));
    feeds.push(again);
    await again.connect();
    again.send(id, Date.now() / 1000, (info) => ({ ...info, cpu: { ...info.cpu, percent: 42 } }));
    await ui.waitForConnection('open', 15_000);
    await ui.card(id).waitForMeter('cpu', '42%');
    await ui.page.locator('.banner').waitFor({ state: 'detached' });
    await ui.card(forgotten).root.waitFor({ state: 'detached' });
    expect(await ui.serverIdsOnCards()).toEqual([id]);
    expect(await ui.looksStale()).toBe(false);

    expect(await ui.documentMarked()).toBe(true);
    const attempts = await ui.socketAttempts();
    expect(attempts.length).toBeGreaterThanOrEqual(4); // the first connection and at least three retries
    const gaps = attempts.slice(1).map((at, i) => at - (attempts[i] as number));
    const retryGaps = gaps.slice(1); // the first gap is the time the first connection stayed up
    for (let i = 1; i < retryGaps.length; i++) {
      expect(retryGaps[i]).toBeGreaterThan(retryGaps[i - 1] as number);
    }
    expect(retryGaps[0]).toBeGreaterThanOrEqual(700);
  });

  it('sorts the table by a column, both ways, and searches by name, id and group', async () => {
    const { dashboard, feed } = await setUp(6);
    const cpu: Record<string, number> = {};
    feed.servers.forEach((s, i) => {
      cpu[s.id] = [35, 80, 5, 60, 20, 95][i] as number;
    });
    feed.keepReporting(250, (info) => ({
      ...info,
      cpu: { ...info.cpu, percent: cpu[info.serverId] as number },
    }));
    const ui = await DashboardPage.open(context, `${dashboard.url}/`);
    await ui.waitForCounts({ online: 6, offline: 0 });
    const table = await ui.showTable();

    const byCpu = Object.keys(cpu).sort((a, b) => (cpu[b] as number) - (cpu[a] as number));
    await table.sortBy('cpu');
    await table.waitForOrder(byCpu);
    expect(await table.sortState('cpu')).toBe('descending');
    await table.sortBy('cpu');
    await table.waitForOrder([...byCpu].reverse());
    expect(await table.sortState('cpu')).toBe('ascending');
    await table.sortBy('name');
    expect(await table.sortState('name')).toBe('ascending');
    expect(await table.sortState('cpu')).toBe('none');
    const names = await table.serverIds();
    expect(names).toEqual(
      [...feed.servers]
        .sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' }))
        .map((s) => s.id),
    );

    // fleet(6): hk, tyo, sg, sjc, fra, sha, all in group "production".
    await ui.search('tyo web');
    await table.waitForOrder(['tyo-web-01']);
    await ui.search('sjc-web-01');
    await table.waitForOrder(['sjc-web-01']);
    await ui.search('PRODUCTION');
    await table.waitForOrder(names);
    await ui.search('nothing-like-this');
    await ui.page.locator('.empty', { hasText: 'nothing-like-this' }).waitFor();

    // Cards: the table's order carries over (name), the sort menu changes it, a group collapses and opens.
    await ui.search('');
    await ui.showCards();
    await ui.waitForServer('hk-web-01');
    expect(await ui.cardSortKey()).toBe('name');
    expect(await ui.serverIdsOnCards()).toEqual(names);
    await ui.sortCardsBy('cpu');
    await ui.page.waitForFunction(
      (expected) =>
        Array.from(document.querySelectorAll('.card'))
          .map((c) => c.getAttribute('data-server-id'))
          .join(',') === expected.join(','),
      byCpu,
    );
    await ui.reverseCardOrder();
    await ui.page.waitForFunction(
      (expected) =>
        Array.from(document.querySelectorAll('.card'))
          .map((c) => c.getAttribute('data-server-id'))
          .join(',') === expected.join(','),
      [...byCpu].reverse(),
    );
    await ui.toggleGroup('production');
    await ui.card('hk-web-01').root.waitFor({ state: 'detached' });
    expect(await ui.group('production').locator('.group-toggle').getAttribute('aria-expanded')).toBe('false');
    await ui.toggleGroup('production');
    await ui.waitForServer('hk-web-01');
    await ui.search('edge');
    await ui.page.locator('.empty').waitFor();
  });

  it('keeps only the table rows near the screen in the page, and scrolling brings the others', async () => {
    const { dashboard, feed } = await setUp(80);
    feed.keepReporting(250);
    const ui = await DashboardPage.open(context, `${dashboard.url}/`);
    await ui.waitForCounts({ online: 80, offline: 0 });
    const table = await ui.showTable();
    const byName = [...feed.servers]
      .sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' }))
      .map((s) => s.id);
    const first = await table.serverIds();
    expect(first.length).toBeLessThan(80);
    expect(first).toEqual(byName.slice(0, first.length));

    await ui.page.evaluate(() => scrollTo(0, document.documentElement.scrollHeight));
    await ui.page.locator(`tr[data-server-id="${byName[79]}"]`).waitFor();
    const last = await table.serverIds();
    expect(last.length).toBeLessThan(80);
    expect(last).toEqual(byName.slice(80 - last.length));
    // The spacer rows keep the page as tall as all 80 rows.
    const rowHeight = await ui.page
      .locator('tr[data-server-id]')
      .first()
      .evaluate((r) => r.getBoundingClientRect().height);
    const bodyHeight = await ui.page
      .locator('table.servers tbody')
      .evaluate((b) => b.getBoundingClientRect().height);
    expect(bodyHeight).toBeGreaterThanOrEqual(80 * rowHeight - 2);
  });

  it('groups cards by group, with counts, and filters by status from the summary', async () => {
    const { dashboard, feed } = await setUp(12);
    feed.keepReporting(250);
    const ui = await DashboardPage.open(context, `${dashboard.url}/`);
    await ui.waitForCounts({ online: 12, offline: 0 });
    // fleet(12): 8 in production, 4 in edge; groups in name order.
    const groups = await ui.page
      .locator('.group')
      .evaluateAll((g) => g.map((x) => x.getAttribute('data-group')));
    expect(groups).toEqual(['edge', 'production']);
    expect(await ui.group('edge').locator('.group-count').textContent()).toBe('4/4');
    expect(await ui.group('edge').locator('.card').count()).toBe(4);

    // One agent hangs: its server goes offline and the offline tile filters to it.
    const quiet = 'hk-edge-01';
    feed.silenced.add(quiet);
    await ui.waitForCounts({ online: 11, offline: 1 }, OFFLINE_WINDOW_MS + 10_000);
    await ui.page.locator('[data-filter="offline"]').click();
    await ui.page.waitForFunction(() => document.querySelectorAll('.card').length === 1);
    expect(await ui.serverIdsOnCards()).toEqual([quiet]);
    expect(await ui.group('edge').locator('.group-count').textContent()).toBe('0/1');
    await ui.page.locator('[data-filter="offline"]').click();
    await ui.page.waitForFunction(() => document.querySelectorAll('.card').length === 12);
  });

  it('opens the details of a server: every filesystem, the system facts and charts from history', async () => {
    const { dashboard, feed } = await setUp(1);
    const id = feed.servers[0]?.id as string;
    const GiB = 1024 ** 3;
    const disks = ['/', '/boot', '/var/lib/containerd', '/srv/data with space'].map((path, i) => ({
      path,
      total: (i + 1) * 100 * GiB,
      used: (i + 1) * 40 * GiB,
      free: (i + 1) * 60 * GiB,
      usedPercent: 40,
      readSpeed: 1024 * i,
      writeSpeed: 2048 * i,
    }));
    const withDisks = (info: ServerInfo): ServerInfo => ({ ...info, disk: disks });
    for (let i = 0; i < 6; i++) {
      feed.send(id, Date.now() / 1000, withDisks);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const ui = await DashboardPage.open(context, `${dashboard.url}/`);
    await ui.waitForServer(id);
    const details = await ui.openDetails(id);

    expect(ui.page.url()).toContain(`#/server/${id}`);
    expect(await details.filesystems()).toEqual(disks.map((d) => d.path));
    const sent = feed.send(id, Date.now() / 1000, withDisks);
    expect(await details.fact('hostname')).toBe(sent.system.hostname);
    expect(await details.fact('kernel')).toBe(sent.system.kernel);
    expect(await details.fact('platform')).toBe(sent.system.platform);
    expect(await details.fact('arch')).toBe(sent.system.arch);
    expect(await details.fact('os')).toBe('linux');
    expect(await details.fact('cpuModel')).toBe(sent.cpu.modelName);
    expect(await details.fact('interface')).toBe('eth0');
    expect(await details.fact('serverId')).toBe(id);
    // Six reports were in the dashboard's history before the page opened; live ones extend it.
    await ui.page.waitForFunction(
      () =>
        ((document.querySelector('.chart .chart-line')?.getAttribute('d') ?? '').match(/[ML]/g) ?? [])
          .length >= 7,
    );

    // Opened by address, before the live snapshot: it still finds the server. An unknown id says so.
    const direct = await DashboardPage.open(context, `${dashboard.url}/#/server/${id}`);
    await direct.page.locator('.details-head h1').waitFor();
    const unknown = await DashboardPage.open(context, `${dashboard.url}/#/server/no-such-server`);
    await unknown.page.locator('.empty', { hasText: 'no-such-server' }).waitFor();

    await details.back();
    await ui.waitForServer(id);
  });

  it('passes the page token on when the dashboard requires one', async () => {
    const token = 'browser-token-123';
    const { dashboard, feed } = await setUp(1, { env: { SSS_FRONTEND_TOKEN: token } });
    feed.keepReporting(250);
    const ui = await DashboardPage.open(context, `${dashboard.url}/?token=${token}`);
    await ui.waitForServer(feed.servers[0]?.id as string);
    const socket = ui.requests.find((url) => url.includes('/ws-frontend'));
    expect(socket).toContain(`token=${token}`);

    // Without the token the page says what is missing instead of spinning quietly.
    const refused = await DashboardPage.open(context, `${dashboard.url}/`);
    await refused.page.locator('.banner[data-reason="token"]', { hasText: '?token=' }).waitFor();
    expect(await refused.connection()).not.toBe('open');
    expect(await refused.serverIdsOnCards()).toEqual([]);
  });

  it('follows the system theme and browser language, and switches both', async () => {
    const { dashboard, feed } = await setUp(1, { colorScheme: 'dark', locale: 'zh-CN' });
    feed.keepReporting(250);
    const ui = await DashboardPage.open(context, `${dashboard.url}/`);
    const card = await ui.waitForServer(feed.servers[0]?.id as string);
    expect(await ui.theme()).toBe('dark');
    expect(await ui.language()).toBe('zh-CN');
    expect(await card.root.locator('.status').textContent()).toContain('在线');
    const darkBackground = await ui.page.evaluate(() => getComputedStyle(document.body).backgroundColor);

    await ui.toggleTheme();
    expect(await ui.theme()).toBe('light');
    expect(await ui.page.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe(
      darkBackground,
    );
    await ui.toggleLanguage();
    expect(await ui.language()).toBe('en');
    expect(await card.root.locator('.status').textContent()).toContain('Online');

    // Both choices survive a reload; switching back to what the system says follows the system again.
    await ui.page.reload();
    await ui.waitForServer(feed.servers[0]?.id as string);
    expect(await ui.theme()).toBe('light');
    expect(await ui.language()).toBe('en');
    await ui.toggleTheme();
    await ui.toggleLanguage();
    expect(await ui.page.evaluate(() => ({ ...localStorage }))).toEqual({});
  });

  describe('layout', () => {
    for (const viewport of [
      { width: 390, height: 844 },
      { width: 1280, height: 800 },
    ]) {
      for (const colorScheme of ['light', 'dark'] as const) {
        it(`fits ${viewport.width}x${viewport.height} in the ${colorScheme} theme (screenshots saved)`, async () => {
          const dashboard = await startDashboard({ SSS_INTERVAL: '5' });
          const feed = new Feed(dashboard, fleet(12));
          feeds.push(feed);
          await feed.connect();
          // A server with a long name and no country; one that went offline; 2 s of history for the charts.
          const odd = (info: ServerInfo): ServerInfo =>
            info.serverId === 'sjc-web-01'
              ? {
                  ...info,
                  serverName: 'San Jose production web frontend with a very long name 01',
                  countryCode: '',
                  cpu: { ...info.cpu, percent: 96.5 },
                }
              : info;
          for (let i = 0; i < 20; i++) {
            feed.sendAll(Date.now() / 1000, odd);
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          feed.sockets.get('lon-web-01')?.close();
          context = await browser.newContext({ viewport, colorScheme, locale: 'en-US' });
          const ui = await DashboardPage.open(context, `${dashboard.url}/`);
          await ui.waitForCounts({ online: 11, offline: 1 });
          await ui.page.waitForFunction(() =>
            Array.from(document.querySelectorAll<HTMLImageElement>('img.flag')).every((img) => img.complete),
          );
          const name = `${viewport.width}x${viewport.height}-${colorScheme}`;
          await ui.renderAllCards();
          expect(await ui.overflows()).toEqual([]);
          // Load and swap on the cards of agents that send them (fleet: every fifth sends the seed alone).
          const page = ui.page;
          expect(await page.locator('.card [data-field="load"]').count()).toBe(10);
          expect(await page.locator('.card [data-field="swap"]').count()).toBe(10);
          await ui.screenshot(`cards-${name}`);

          await ui.showTable();
          expect(await ui.overflows()).toEqual([]);
          expect(await page.locator('thead [data-sort-key="load"]').count()).toBe(1);
          expect(await page.locator('td[data-field="load"]').first().textContent()).toMatch(
            /^(\d+\.\d\d|–)$/,
          );
          await ui.screenshot(`table-${name}`);
          await ui.showCards();

          await ui.openDetails('sjc-web-01');
          await ui.page.locator('.chart-line').first().waitFor({ state: 'attached' });
          // The load chart draws the reports that arrive while the page is open: three more.
          for (let i = 0; i < 3; i++) {
            feed.sendAll(Date.now() / 1000, odd);
            await new Promise((resolve) => setTimeout(resolve, 300));
          }
          await page.waitForFunction(() => {
            const chart = Array.from(document.querySelectorAll('.chart')).find((c) =>
              c.querySelector('.chart-title')?.textContent?.startsWith('Load'),
            );
            return (chart?.querySelector('.chart-line')?.getAttribute('d') ?? '').includes('L');
          });
          // Per-core bars, CPU modes, every interface, temperatures with critical levels, processes, sockets,
          // the load chart.
          const details = page.locator('.details');
          await details.locator('[data-section="cpu"] .core').first().waitFor();
          expect(await details.locator('[data-section="cpu"] .core').count()).toBeGreaterThanOrEqual(2);
          expect(await details.locator('.modes-legend li').count()).toBe(8);
          expect(
            await details.locator('[data-section="interfaces"] tbody tr').count(),
          ).toBeGreaterThanOrEqual(1);
          expect(await details.locator('[data-section="interfaces"] .tag').count()).toBe(1);
          expect(await details.locator('[data-section="temperatures"] tbody tr').count()).toBe(4);
          expect(
            await details.locator('[data-section="processes"] [data-fact="tcpEstablished"]').count(),
          ).toBe(1);
          expect(await details.locator('.chart-title', { hasText: /load/i }).count()).toBe(1);
          expect(await ui.overflows()).toEqual([]);
          await ui.screenshot(`details-${name}`);
        });
      }
    }
  });
});
