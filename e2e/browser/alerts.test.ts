// Issue 11: firing alerts in the ui, in Debian's Chromium against a real dashboard with alert rules, fed by real
// reporter WebSockets: the badge on the card and the table row, the toolbar's count, and the alert list with its
// filters, in both themes and both languages (screenshots saved to test-results/screenshots/).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerInfo } from '@sss/protocol';
import Database from 'better-sqlite3';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, stopAll } from '../support/processes';
import { chromiumPath, launchChromium } from './browser';
import { Feed } from './feed';
import { fleet } from './fleet';
import { DashboardPage } from './pages';

describe.skipIf(!chromiumPath)('alerts in the ui', () => {
  let browser: Browser;
  let context: BrowserContext | undefined;
  let feed: Feed | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'sss-ui-alerts-'));

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    feed?.close();
    await context?.close();
    await browser?.close();
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows a firing alert on its card and row and in the alert list, with filters, in both themes and languages', async () => {
    const servers = fleet(8);
    const [hot, quiet, cooled] = servers.map((s) => s.id) as [string, string, string];
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      [
        'alerts:',
        '  - name: CpuSaturated',
        '    kind: cpu',
        '    threshold: 97',
        '    for: 0s',
        '    severity: critical',
        `    servers: [${hot}, ${cooled}]`,
        '  - kind: offline',
        '    for: 1s',
        '    severity: warning',
      ].join('\n'),
    );
    const dashboard = await startDashboard({ SSS_INTERVAL: '0.5', SSS_CONFIG: config });
    feed = new Feed(dashboard, servers);
    await feed.connect();
    const burning = new Set([hot, cooled]);
    const edit = (info: ServerInfo): ServerInfo =>
      burning.has(info.serverId) ? { ...info, cpu: { ...info.cpu, percent: 99.2 } } : info;
    feed.keepReporting(250, edit);

    context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      colorScheme: 'light',
      locale: 'en-US',
    });
    const ui = await DashboardPage.open(context, `${dashboard.url}/`);
    const card = await ui.waitForServer(hot);
    await card.waitForAlert('CpuSaturated');
    expect(await card.alerts()).toEqual([
      {
        text: 'CpuSaturated',
        severity: 'critical',
        title: expect.stringMatching(
          /^CpuSaturated \(Critical\): CPU usage on .+ > 97 % · firing for \d+ s$/,
        ),
      },
    ]);

    // One server stops reporting: offline after 3 intervals (1.5 s), its alert fires 1 s later.
    feed.silenced.add(quiet);
    await ui.card(quiet).waitForAlert('ServerOffline', 6_000);
    expect((await ui.card(quiet).alerts())[0]?.severity).toBe('warning');
    // Another cools down: its alert resolves and leaves the card.
    burning.delete(cooled);
    await ui.card(cooled).waitForNoAlerts(5_000);
    expect(await ui.firingAlerts()).toEqual({ count: 2, severity: 'critical' });
    await ui.renderAllCards();
    expect(await ui.overflows()).toEqual([]);
    await ui.screenshot('alerts-cards-1280-light');

    const table = await ui.showTable();
    expect((await table.rowAlerts(hot)).map((a) => `${a.text} ${a.severity}`)).toEqual([
      'CpuSaturated critical',
    ]);
    expect((await table.rowAlerts(quiet)).map((a) => `${a.text} ${a.severity}`)).toEqual([
      'ServerOffline warning',
    ]);
    expect(await table.rowAlerts(cooled)).toEqual([]);
    await ui.screenshot('alerts-table-1280-light');
    await ui.showCards();

    const list = await ui.openAlerts();
    await list.waitForRows(2);
    const hotName = servers[0]?.name ?? '';
    const quietName = servers[1]?.name ?? '';
    expect(await list.rows()).toEqual([
      {
        severity: 'critical',
        name: 'CpuSaturated',
        server: hotName,
        summary: `CPU usage on ${hotName} > 97 %`,
        state: 'firing',
        duration: expect.stringMatching(/^firing for \d+ s$/),
      },
      {
        severity: 'warning',
        name: 'ServerOffline',
        server: quietName,
        summary: `${quietName} is offline`,
        state: 'firing',
        duration: expect.stringMatching(/^firing for \d+ s$/),
      },
    ]);
    await list.filterBySeverity('warning');
    expect((await list.rows()).map((r) => r.name)).toEqual(['ServerOffline']);
    await list.filterBySeverity('info');
    expect(await list.emptyText()).toBe('No alert matches these filters.');
    await list.filterBySeverity('all');
    await list.filterByState('resolved');
    await list.waitForRows(1);
    expect(await list.rows()).toEqual([
      expect.objectContaining({
        name: 'CpuSaturated',
        server: servers[2]?.name,
        state: 'resolved',
        duration: expect.stringMatching(/^fired for \d+ s · resolved (just now|\d+ s ago)$/),
      }),
    ]);
    await list.filterByState('all');
    await list.waitForRows(3);
    expect(await ui.overflows()).toEqual([]);
    await ui.screenshot('alerts-list-1280-light');

    await ui.toggleTheme();
    expect(await ui.theme()).toBe('dark');
    await ui.screenshot('alerts-list-1280-dark');
    await ui.toggleLanguage();
    await list.root.locator('h1', { hasText: '告警' }).waitFor();
    expect((await list.rows()).map((r) => r.state)).toEqual(['firing', 'firing', 'resolved']);
    expect((await list.rows())[0]?.duration).toMatch(/^已持续 \d+秒$/);
    // The dashboard's default texts, worded in the ui's language from the parts it sends beside them.
    expect((await list.rows()).map((r) => r.summary)).toEqual([
      `${hotName} CPU 使用率 > 97 %`,
      `${quietName} 已离线`,
      `${servers[2]?.name} CPU 使用率 > 97 %`,
    ]);
    await ui.screenshot('alerts-list-1280-dark-zh');

    // The server's link leads to its details, which carry the badge too.
    await list.openServer(hotName);
    await ui.page.locator('.details-head .alert-badge', { hasText: 'CpuSaturated' }).waitFor();
    await ui.screenshot('alerts-details-1280-dark-zh');
    await ui.page.goBack();
    await ui.page.goBack();
    await card.waitForAlert('CpuSaturated');
    await ui.renderAllCards();
    expect(await ui.overflows()).toEqual([]);
    await ui.screenshot('alerts-cards-1280-dark-zh');

    await ui.page.setViewportSize({ width: 390, height: 844 });
    await ui.openAlerts();
    expect(await ui.overflows()).toEqual([]);
    await ui.screenshot('alerts-list-390-dark-zh');
    expect(ui.consoleErrors).toEqual([]);
  }, 90_000);

  it('lists resolved alerts the history store kept from before a restart, 100 at first and 100 more per click', async () => {
    const dataDir = join(dir, 'data');
    const first = await startDashboard({ SSS_DATA_DIR: dataDir });
    expect((await first.stop('SIGTERM')).code).toBe(0);
    // 150 alerts that resolved two days ago, as an earlier run of the dashboard wrote them.
    const db = new Database(join(dataDir, 'history.db'));
    const insert = db.prepare(
      'INSERT INTO alerts (fingerprint, starts_at, ends_at, active_at, server_id, severity, labels, summary, description, value) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)',
    );
    const twoDaysAgo = Date.now() - 2 * 86_400_000;
    for (let i = 0; i < 150; i++) {
      const id = `old-${i}`;
      const labels = { alertname: 'ServerOffline', severity: 'critical', server_id: id, server_name: id };
      const startsAt = twoDaysAgo + i * 60_000;
      insert.run(
        `fp-${i}`,
        startsAt,
        startsAt + 30_000,
        startsAt - 60_000,
        id,
        'critical',
        JSON.stringify(labels),
        `${id} is offline`,
        `${id} has not reported.`,
      );
    }
    db.close();
    const dashboard = await startDashboard({ SSS_DATA_DIR: dataDir });
    const own = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    try {
      const ui = await DashboardPage.open(own, `${dashboard.url}/`);
      const list = await ui.openAlerts();
      await list.filterByState('resolved');
      await list.waitForRows(100);
      expect((await list.rows())[0]).toMatchObject({
        name: 'ServerOffline',
        server: 'old-149',
        state: 'resolved',
      });
      await list.root.locator('[data-action="older"]').click();
      await list.waitForRows(150);
      expect((await list.rows()).at(-1)).toMatchObject({
        server: 'old-0',
        duration: expect.stringMatching(/^fired for 30 s · resolved \d+ d ago$/),
      });
      expect(await list.root.locator('[data-action="older"]').count()).toBe(0);
      await ui.screenshot('alerts-list-resolved-history-1280');
      expect(ui.consoleErrors).toEqual([]);
    } finally {
      await own.close();
    }
  }, 60_000);
});
