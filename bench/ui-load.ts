// `npm run bench ui`: the ui in Debian's Chromium showing 500 servers that each report every 5 s (100 reports a
// second, spread evenly), through a real dashboard and 500 real reporter WebSockets. Prints, per scenario, the
// long tasks (> 50 ms, PerformanceObserver), frame times (requestAnimationFrame deltas) and how busy the
// renderer's main thread was (CDP Performance.getMetrics TaskDuration).

import type { Page } from 'playwright-core';
import { launchChromium } from '../e2e/browser/browser';
import { Feed } from '../e2e/browser/feed';
import { fleet } from '../e2e/browser/fleet';
import { DashboardPage } from '../e2e/browser/pages';
import { freePort } from '../e2e/support/ports';
import { startDashboard, stopAll } from '../e2e/support/processes';

const SERVERS = Number(process.env.SSS_BENCH_SERVERS ?? 500);
const INTERVAL_S = 5;
const WARMUP_MS = 2 * INTERVAL_S * 1000;
const MEASURE_S = Number(process.env.SSS_BENCH_SECONDS ?? 20);
const TICK_MS = 50;

interface Sample {
  longTasks: number[];
  frames: number[];
}

/**
 * Starts recording long tasks and frame times in the page. A string, not a function: tsx would wrap named
 * functions in a helper that does not exist in the page.
 */
const START_RECORDING = `{
  const bench = { longTasks: [], frames: [], stop: false };
  window.__bench = bench;
  const observer = new PerformanceObserver((list) => {
    if (bench.stop) return observer.disconnect();
    for (const entry of list.getEntries()) bench.longTasks.push(entry.duration);
  });
  observer.observe({ type: 'longtask' });
  let last = performance.now();
  requestAnimationFrame(function frame(now) {
    bench.frames.push(now - last);
    last = now;
    if (!bench.stop) requestAnimationFrame(frame);
  });
}`;

async function startRecording(page: Page): Promise<void> {
  await page.evaluate(START_RECORDING);
}

async function stopRecording(page: Page): Promise<Sample> {
  return page.evaluate(() => {
    const w = window as unknown as { __bench: Sample & { stop: boolean } };
    w.__bench.stop = true;
    return { longTasks: w.__bench.longTasks, frames: w.__bench.frames };
  });
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

const ms = (n: number) => `${n.toFixed(1)} ms`;

async function measure(
  name: string,
  seconds: number,
  page: Page,
  cdp: {
    send: (method: 'Performance.getMetrics') => Promise<{ metrics: { name: string; value: number }[] }>;
  },
  during?: () => Promise<void>,
): Promise<void> {
  const durations = async () => {
    const metrics = (await cdp.send('Performance.getMetrics')).metrics;
    const get = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
    return {
      task: get('TaskDuration'),
      script: get('ScriptDuration'),
      layout: get('LayoutDuration'),
      style: get('RecalcStyleDuration'),
    };
  };
  await startRecording(page);
  const before = await durations();
  const started = Date.now();
  await Promise.all([page.waitForTimeout(seconds * 1000), during?.()]);
  const after = await durations();
  const elapsed = (Date.now() - started) / 1000;
  const share = (key: keyof typeof before) => `${(((after[key] - before[key]) / elapsed) * 100).toFixed(1)}%`;
  const { longTasks, frames } = await stopRecording(page);
  const sorted = [...frames].sort((a, b) => a - b);
  const mean = frames.reduce((a, b) => a + b, 0) / Math.max(1, frames.length);
  const over50 = frames.filter((f) => f > 50).length;
  console.log(
    [
      `${name}:`,
      `  long tasks: ${longTasks.length} in ${elapsed.toFixed(0)} s` +
        (longTasks.length > 0
          ? ` (total ${ms(longTasks.reduce((a, b) => a + b, 0))}, longest ${ms(Math.max(...longTasks))})`
          : ''),
      `  frame time: mean ${ms(mean)}, p50 ${ms(quantile(sorted, 0.5))}, p95 ${ms(quantile(sorted, 0.95))}, ` +
        `p99 ${ms(quantile(sorted, 0.99))}, max ${ms(sorted[sorted.length - 1] ?? 0)}; ` +
        `${frames.length} frames, ${over50} over 50 ms`,
      `  renderer main thread busy: ${share('task')} of the time (script ${share('script')}, ` +
        `style ${share('style')}, layout ${share('layout')}, the rest paint and other work)`,
    ].join('\n'),
  );
}

export async function run(): Promise<void> {
  const dashboard = await startDashboard({
    SSS_INTERVAL: String(INTERVAL_S),
    SSS_PORT: String(await freePort()),
    SSS_LOG_LEVEL: 'info',
  });
  const feed = new Feed(dashboard, fleet(SERVERS));
  const browser = await launchChromium();
  let timer: ReturnType<typeof setInterval> | undefined;
  try {
    await feed.connect();
    // Every server once every 5 s, spread evenly: a few reports every 50 ms.
    const perTick = (SERVERS * TICK_MS) / (INTERVAL_S * 1000);
    let next = 0;
    let due = 0;
    let paused = false;
    timer = setInterval(() => {
      if (paused) return;
      due += perTick;
      for (; due >= 1; due -= 1) {
        const server = feed.servers[next % SERVERS];
        next += 1;
        if (server) feed.send(server.id);
      }
    }, TICK_MS);
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_S * 1000 + 500));

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
    const opened = Date.now();
    const ui = await DashboardPage.open(context, `${dashboard.url}/`);
    await ui.page.waitForFunction((n) => document.querySelectorAll('.card').length === n, SERVERS, {
      timeout: 60_000,
    });
    console.log(
      `${SERVERS} servers, each reporting every ${INTERVAL_S} s (${SERVERS / INTERVAL_S} reports/s); Chromium ` +
        `${browser.version()}, 1280x800\n` +
        `page load to all ${SERVERS} cards on screen: ${Date.now() - opened} ms`,
    );
    const cdp = await context.newCDPSession(ui.page);
    await cdp.send('Performance.enable');
    await ui.page.waitForTimeout(WARMUP_MS);

    // Shorter than the offline window (3 intervals), so no server changes state meanwhile.
    paused = true;
    await measure('cards, no reports arriving (the page and the measuring alone)', 10, ui.page, cdp);
    paused = false;
    await ui.page.waitForTimeout(INTERVAL_S * 1000);
    await measure('cards, idle at the top (a wall display)', MEASURE_S, ui.page, cdp);
    await measure('cards, scrolling through all of them', MEASURE_S, ui.page, cdp, async () => {
      const height = await ui.page.evaluate(() => document.documentElement.scrollHeight - innerHeight);
      const steps = (MEASURE_S * 1000) / 100;
      for (let i = 1; i <= steps; i++) {
        await ui.page.evaluate((y) => scrollTo(0, y), (height * i) / steps);
        await ui.page.waitForTimeout(100);
      }
    });
    await ui.page.evaluate(() => scrollTo(0, 0));
    const table = await ui.showTable();
    await table.sortBy('cpu'); // re-sorts live as the figures change: the busiest case
    await ui.page.waitForTimeout(2_000);
    await measure('table sorted by CPU (rows reorder live)', MEASURE_S, ui.page, cdp);

    const heap = (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'JSHeapUsedSize');
    console.log(`JS heap in use: ${((heap?.value ?? 0) / 1024 / 1024).toFixed(1)} MiB`);
    await context.close();
  } finally {
    clearInterval(timer);
    feed.close();
    await browser.close();
    await stopAll();
  }
}
