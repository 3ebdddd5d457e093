// Issue 13, acceptance 6: reports at every numeric bound the validator lets through render without NaN,
// "Invalid Date", "Infinity" or console errors, in the cards, the table and the details with their charts.

import {
  MAX_CELSIUS,
  MAX_LOAD,
  MAX_PROCESSES,
  MAX_SOCKETS,
  MAX_UNIX_SECONDS,
  MIN_CELSIUS,
  type ServerInfo,
} from '@sss/protocol';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, stopAll } from '../support/processes';
import { chromiumPath, launchChromium } from './browser';
import { Feed } from './feed';
import { fleet } from './fleet';
import { DashboardPage } from './pages';

/** Every number of a report at `n` where the validator allows it, else at the field's own bound. */
function atBound(info: ServerInfo, n: number): ServerInfo {
  const percent = Math.min(n, 100);
  const whole = (max: number) => Math.min(Math.floor(n), max);
  const iface = { bytesSent: n, bytesRecv: n, inSpeed: n, outSpeed: n };
  return {
    ...info,
    cpu: {
      ...info.cpu,
      percent,
      cores: n,
      load1: Math.min(n, MAX_LOAD),
      load5: Math.min(n, MAX_LOAD),
      load15: Math.min(n, MAX_LOAD),
      perCore: Array.from({ length: 16 }, () => percent),
      modes: { user: percent, nice: 0, system: 0, iowait: 0, irq: 0, softirq: 0, steal: 0 },
    },
    memory: { total: n, used: n, available: n, usedPercent: percent, swapTotal: n, swapUsed: n, cached: n },
    disk: info.disk.map((d) => ({
      ...d,
      total: n,
      used: n,
      free: n,
      usedPercent: percent,
      readSpeed: n,
      writeSpeed: n,
      ioUtilPercent: percent,
    })),
    network: { ...info.network, ...iface, interfaces: [{ name: 'eth0', ...iface }] },
    system: {
      ...info.system,
      uptime: n,
      processes: whole(MAX_PROCESSES),
      bootTime: Math.min(n, MAX_UNIX_SECONDS),
    },
    connections: { tcp: whole(MAX_SOCKETS), tcpEstablished: whole(MAX_SOCKETS), udp: whole(MAX_SOCKETS) },
    temperatures: [
      { sensor: 'coretemp Package id 0', celsius: Math.min(n, MAX_CELSIUS), criticalCelsius: MAX_CELSIUS },
      { sensor: 'acpitz thermal_zone0', celsius: n === 0 ? MIN_CELSIUS : Math.min(n, MAX_CELSIUS) },
    ],
    timestamp: n,
  };
}

const BOUNDS: Record<string, number> = {
  'max-value': Number.MAX_VALUE,
  huge: 1.7e308,
  'safe-integer': Number.MAX_SAFE_INTEGER,
  zero: 0,
};

const BROKEN = /NaN|Invalid Date|Infinity|undefined|e\+\d/;

describe.skipIf(!chromiumPath)('ui at the numeric bounds', () => {
  let browser: Browser;
  let context: BrowserContext | undefined;
  let feed: Feed | undefined;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    feed?.close();
    await context?.close();
    await stopAll();
  });

  it('shows every bound without NaN, Invalid Date or console errors, and draws only numbers', async () => {
    const dashboard = await startDashboard({ SSS_INTERVAL: '5' });
    const servers = fleet(Object.keys(BOUNDS).length).map((s, i) => ({
      ...s,
      id: Object.keys(BOUNDS)[i] as string,
    }));
    feed = new Feed(dashboard, servers);
    await feed.connect();
    // A few reports each, for the sparklines and charts; the first one before the page opens (history back-fill).
    const sendAll = () =>
      feed?.sendAll(Date.now() / 1000, (info) => atBound(info, BOUNDS[info.serverId] as number));
    sendAll();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    const ui = await DashboardPage.open(context, `${dashboard.url}/`);
    await ui.waitForCounts({ online: servers.length, offline: 0 });
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      sendAll();
    }
    await ui.renderAllCards();

    const check = async (where: string) => {
      expect(
        (await ui.shownTexts()).filter((text) => BROKEN.test(text)),
        where,
      ).toEqual([]);
      expect(
        (await ui.drawnPaths()).filter((d) => /NaN|Infinity|undefined/.test(d)),
        where,
      ).toEqual([]);
      expect(await ui.overflows(), where).toEqual([]);
      expect(ui.consoleErrors, where).toEqual([]);
    };
    await check('cards');
    await ui.screenshot('extremes-cards-1280');
    await ui.showTable();
    await check('table');
    await ui.screenshot('extremes-table-1280');
    await ui.showCards();
    for (const id of Object.keys(BOUNDS)) {
      await ui.waitForServer(id);
      const details = await ui.openDetails(id);
      await ui.page.locator('.chart-line').first().waitFor({ state: 'attached' });
      await check(`details of ${id}`);
      await ui.screenshot(`extremes-details-${id}-1280`);
      await details.back();
    }
  });
});
