// Page objects for the ui: what a person sees and does, named as they would say it. Tests talk to these,
// never to selectors.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { repoRoot } from '../support/paths';

export const screenshotDir = join(repoRoot, 'test-results/screenshots');

export type ConnectionPhase = 'open' | 'connecting' | 'waiting' | 'refused';

/** A server's state as its status pill (or table dot) shows it. */
export type ServerStatus = 'online' | 'offline' | 'missing';

/** The summary tiles, each a status filter; `missing` and `notReady` show only when servers are Kubernetes Nodes. */
export type StatusFilter = 'all' | 'online' | 'offline' | 'missing' | 'notReady';

/** What the cards can be grouped by (the choice shows only when servers are Kubernetes Nodes). */
export type Grouping = 'group' | 'zone' | 'role';

/**
 * A Node's badges by their Kubernetes names, whatever the page's language: Ready, NotReady or Unknown first, then
 * each active problem condition (DiskPressure, ...), then SchedulingDisabled.
 */
async function badgesIn(scope: Locator): Promise<string[]> {
  const list = scope.locator('.badges').first();
  if ((await list.count()) === 0) return [];
  return ((await list.getAttribute('data-badges')) ?? '').split(' ').filter(Boolean);
}

/** An alert badge as shown: its text (the alert's name, or "+N"), severity colour and tooltip. */
export interface ShownAlert {
  text: string;
  severity: string;
  title: string;
}

async function alertBadgesIn(scope: Locator): Promise<ShownAlert[]> {
  return scope.locator('.alert-badges .alert-badge').evaluateAll((badges) =>
    badges.map((b) => ({
      text: (b.textContent ?? '').trim(),
      severity: b.getAttribute('data-severity') ?? '',
      title: b.getAttribute('title') ?? '',
    })),
  );
}

/** Counts every WebSocket the page opens (the ui's reconnect attempts), with the time each was created. */
const RECORD_SOCKETS = `
  window.__sockets = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      window.__sockets.push({ url: String(args[0]), at: performance.now() });
    }
  };
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
  });
`;

export class DashboardPage {
  /** Every URL the page requested (documents, scripts, styles, images, fetches, WebSockets). */
  readonly requests: string[] = [];
  readonly consoleErrors: string[] = [];

  private constructor(readonly page: Page) {
    page.on('request', (r) => void this.requests.push(r.url()));
    page.on('websocket', (ws) => void this.requests.push(ws.url()));
    page.on('console', (m) => {
      if (m.type() === 'error') this.consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => void this.consoleErrors.push(`pageerror: ${e.message}`));
  }

  static async open(context: BrowserContext, url: string): Promise<DashboardPage> {
    const page = await context.newPage();
    await page.addInitScript(RECORD_SOCKETS);
    const dashboard = new DashboardPage(page);
    await page.goto(url);
    await page.locator('.topbar').waitFor();
    return dashboard;
  }

  card(serverId: string): ServerCard {
    return new ServerCard(this.page.locator(`.card[data-server-id="${serverId}"]`));
  }

  async waitForServer(serverId: string, timeoutMs = 5_000): Promise<ServerCard> {
    const card = this.card(serverId);
    await card.root.waitFor({ timeout: timeoutMs });
    return card;
  }

  async serverIdsOnCards(): Promise<string[]> {
    return this.page
      .locator('.card[data-server-id]')
      .evaluateAll((cards) => cards.map((c) => c.getAttribute('data-server-id') ?? ''));
  }

  async counts(): Promise<{ total: number; online: number; offline: number }> {
    const read = async (which: string) =>
      Number(await this.page.locator(`[data-count="${which}"]`).textContent());
    return { total: await read('all'), online: await read('online'), offline: await read('offline') };
  }

  /** Resolves once the summary shows these counts. */
  async waitForCounts(expected: { online: number; offline: number }, timeoutMs = 5_000): Promise<void> {
    await this.page.waitForFunction(
      ([online, offline]) =>
        document.querySelector('[data-count="online"]')?.textContent === String(online) &&
        document.querySelector('[data-count="offline"]')?.textContent === String(offline),
      [expected.online, expected.offline],
      { timeout: timeoutMs },
    );
  }

  /** The number on a summary tile; undefined when the tile is not shown. */
  async count(filter: StatusFilter): Promise<number | undefined> {
    const tile = this.page.locator(`[data-count="${filter}"]`);
    return (await tile.count()) > 0 ? Number(await tile.textContent()) : undefined;
  }

  async waitForCount(filter: StatusFilter, value: number, timeoutMs = 5_000): Promise<void> {
    await this.page.waitForFunction(
      ([f, v]) => document.querySelector(`[data-count="${f}"]`)?.textContent === String(v),
      [filter, value] as const,
      { timeout: timeoutMs },
    );
  }

  /** Shows only the servers of one status, as a click on its summary tile does (`all` shows every server). */
  async filterBy(filter: StatusFilter): Promise<void> {
    const tile = this.page.locator(`.tile-button[data-filter="${filter}"]`);
    if ((await tile.getAttribute('aria-pressed')) !== 'true') await tile.click();
    await this.page.locator(`.tile-button[data-filter="${filter}"][aria-pressed="true"]`).waitFor();
  }

  async activeFilter(): Promise<StatusFilter> {
    return (await this.page
      .locator('.tile-button[aria-pressed="true"]')
      .getAttribute('data-filter')) as StatusFilter;
  }

  /** Groups the cards by group, zone or role (the choice is remembered, as the other preferences). */
  async groupCardsBy(grouping: Grouping): Promise<void> {
    await this.page.locator('select.group-by').selectOption(grouping);
    await this.page.locator(`.groups[data-group-by="${grouping}"]`).waitFor();
  }

  /** What the cards are grouped by now. */
  async cardGrouping(): Promise<Grouping> {
    return (await this.page.locator('.groups').getAttribute('data-group-by')) as Grouping;
  }

  /**
   * The card groups in order: the value grouped by ("" for the servers without it), the heading as shown (e.g.
   * "No zone"; empty when there is a single headless group) and its online/total count.
   */
  async cardGroups(): Promise<{ name: string; heading: string; count: string }[]> {
    return this.page.locator('.group').evaluateAll((groups) =>
      groups.map((g) => ({
        name: g.getAttribute('data-group') ?? '',
        heading: g.querySelector('.group-name')?.textContent ?? '',
        count: g.querySelector('.group-count')?.textContent ?? '',
      })),
    );
  }

  async search(text: string): Promise<void> {
    await this.page.getByRole('searchbox').fill(text);
  }

  async showTable(): Promise<ServerTable> {
    await this.page.locator('[data-view="table"]').click();
    const table = new ServerTable(this.page);
    await table.root.waitFor();
    return table;
  }

  async showCards(): Promise<void> {
    await this.page.locator('[data-view="cards"]').click();
  }

  async sortCardsBy(key: string): Promise<void> {
    await this.page.locator('.sort-menu select').selectOption(key);
  }

  async reverseCardOrder(): Promise<void> {
    await this.page.locator('[data-action="sort-direction"]').click();
  }

  async cardSortKey(): Promise<string> {
    return this.page.locator('.sort-menu select').inputValue();
  }

  group(name: string): Locator {
    return this.page.locator(`.group[data-group="${name}"]`);
  }

  async toggleGroup(name: string): Promise<void> {
    await this.group(name).locator('.group-toggle').click();
  }

  async connection(): Promise<ConnectionPhase> {
    return (await this.page.locator('.conn').getAttribute('data-state')) as ConnectionPhase;
  }

  async waitForConnection(phase: ConnectionPhase, timeoutMs = 10_000): Promise<void> {
    await this.page.locator(`.conn[data-state="${phase}"]`).waitFor({ timeout: timeoutMs });
  }

  /** The banner about the frontend token: `token` (none given) or `token-rejected`, with its text; or undefined. */
  async tokenBanner(): Promise<{ reason: string; text: string } | undefined> {
    const banner = this.page.locator('.banner[data-reason^="token"]');
    if ((await banner.count()) === 0) return undefined;
    return {
      reason: (await banner.getAttribute('data-reason')) ?? '',
      text: (await banner.textContent()) ?? '',
    };
  }

  /** Whether the page shows its figures as no longer live (connection lost). */
  async looksStale(): Promise<boolean> {
    return ((await this.page.locator('main.page').getAttribute('class')) ?? '').includes('stale');
  }

  /** Times (ms, page clock) at which the page opened a /ws-frontend socket. */
  async socketAttempts(): Promise<number[]> {
    return this.page.evaluate(() =>
      (window as unknown as { __sockets: { url: string; at: number }[] }).__sockets
        .filter((s) => s.url.includes('/ws-frontend'))
        .map((s) => s.at),
    );
  }

  async cspViolations(): Promise<string[]> {
    return this.page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);
  }

  async theme(): Promise<string | null> {
    return this.page.locator('html').getAttribute('data-theme');
  }

  async toggleTheme(): Promise<void> {
    await this.page.locator('[data-action="theme"]').click();
  }

  async language(): Promise<string | null> {
    return this.page.locator('html').getAttribute('lang');
  }

  async toggleLanguage(): Promise<void> {
    await this.page.locator('[data-action="lang"]').click();
  }

  /** The number of firing alerts on the toolbar's way to the alert list, and the worst severity among them. */
  async firingAlerts(): Promise<{ count: number; severity: string }> {
    const link = this.page.locator('[data-action="alerts"]');
    return {
      count: Number(await link.locator('[data-count="alerts"]').textContent()),
      severity: (await link.getAttribute('data-severity')) ?? '',
    };
  }

  /** Opens the alert list from the toolbar. */
  async openAlerts(): Promise<AlertList> {
    await this.page.locator('[data-action="alerts"]').click();
    const list = new AlertList(this.page);
    await list.root.waitFor();
    return list;
  }

  async openDetails(serverId: string): Promise<DetailsPage> {
    await this.card(serverId).root.locator('.card-name').click();
    const details = new DetailsPage(this.page);
    await details.root.waitFor();
    return details;
  }

  /**
   * Scrolls through the page as a person would (cards fetch their sparkline history when they come into view),
   * then keeps every card rendered: off-screen cards otherwise skip rendering (content-visibility: auto), and a
   * full-page screenshot and the overflow check must cover them all.
   */
  async renderAllCards(): Promise<void> {
    const height = await this.page.evaluate(() => document.documentElement.scrollHeight);
    const step = this.page.viewportSize()?.height ?? 800;
    for (let y = 0; y < height; y += step) {
      await this.page.evaluate((top) => scrollTo(0, top), y);
      await this.page.waitForTimeout(100);
    }
    await this.page.evaluate(() => {
      scrollTo(0, 0);
      for (const card of Array.from(document.querySelectorAll<HTMLElement>('.card'))) {
        card.style.contentVisibility = 'visible';
      }
    });
    await this.page.waitForLoadState('networkidle');
  }

  /**
   * Elements that stick out of the card (or details panel) they are in, and whether the page scrolls
   * sideways; empty when the layout holds.
   */
  async overflows(): Promise<string[]> {
    return this.page.evaluate(() => {
      const found: string[] = [];
      const root = document.documentElement;
      if (root.scrollWidth > root.clientWidth + 1) {
        found.push(`page scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}`);
      }
      for (const box of Array.from(document.querySelectorAll<HTMLElement>('.card, .panel, .tile'))) {
        const outer = box.getBoundingClientRect();
        for (const el of Array.from(box.querySelectorAll<HTMLElement | SVGElement>('*'))) {
          // Content inside a scrolling container (the wide tables) may extend past it by design.
          if (el.closest('.table-wrap') && !el.classList.contains('table-wrap')) continue;
          const r = el.getBoundingClientRect();
          if (r.width === 0 && r.height === 0) continue;
          if (r.left < outer.left - 0.5 || r.right > outer.right + 0.5 || r.bottom > outer.bottom + 0.5) {
            const where = box.getAttribute('data-server-id') ?? box.className;
            found.push(`${where}: <${el.tagName.toLowerCase()} class="${el.getAttribute('class') ?? ''}">`);
          }
        }
      }
      return found;
    });
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(screenshotDir, { recursive: true });
    const path = join(screenshotDir, `${name}.png`);
    await this.page.screenshot({ path, fullPage: true });
    return path;
  }

  /** A marker that survives everything but a reload: proves the page reconnected in place. */
  async markDocument(): Promise<void> {
    await this.page.evaluate(() => {
      (window as unknown as { __marker: boolean }).__marker = true;
    });
  }

  async documentMarked(): Promise<boolean> {
    return this.page.evaluate(() => (window as unknown as { __marker?: boolean }).__marker === true);
  }

  /** The text of every element on the page, and the tooltips (title attributes) a person can bring up. */
  async shownTexts(): Promise<string[]> {
    return this.page.evaluate(() => {
      const texts: string[] = [];
      for (const el of Array.from(document.body.querySelectorAll('*'))) {
        const own = Array.from(el.childNodes)
          .filter((n) => n.nodeType === Node.TEXT_NODE)
          .map((n) => n.textContent ?? '')
          .join('')
          .trim();
        if (own) texts.push(own);
        const title = el.getAttribute('title') ?? el.getAttribute('aria-label');
        if (title) texts.push(title);
      }
      return texts;
    });
  }

  /** The `d` of every SVG path on the page (charts, sparklines, icons). */
  async drawnPaths(): Promise<string[]> {
    return this.page.locator('svg path').evaluateAll((paths) => paths.map((p) => p.getAttribute('d') ?? ''));
  }
}

export class ServerCard {
  constructor(readonly root: Locator) {}

  async name(): Promise<string> {
    return (await this.root.locator('.card-name').textContent()) ?? '';
  }

  async status(): Promise<ServerStatus> {
    return (await this.root.locator('.status').getAttribute('data-status')) as ServerStatus;
  }

  async waitForStatus(status: ServerStatus, timeoutMs = 5_000): Promise<void> {
    await this.root.locator(`.status[data-status="${status}"]`).waitFor({ timeout: timeoutMs });
  }

  /** The Node's badges by their Kubernetes names; empty for a server outside Kubernetes. */
  async badges(): Promise<string[]> {
    return badgesIn(this.root);
  }

  /** The firing alerts on the card: name, severity and tooltip of each badge. */
  async alerts(): Promise<ShownAlert[]> {
    return alertBadgesIn(this.root);
  }

  async waitForAlert(name: string, timeoutMs = 5_000): Promise<void> {
    await this.root.locator('.alert-badge', { hasText: name }).waitFor({ timeout: timeoutMs });
  }

  async waitForNoAlerts(timeoutMs = 5_000): Promise<void> {
    await this.root.locator('.alert-badges').waitFor({ state: 'detached', timeout: timeoutMs });
  }

  async waitForBadges(expected: string[], timeoutMs = 5_000): Promise<void> {
    await this.root.locator(`.badges[data-badges="${expected.join(' ')}"]`).waitFor({ timeout: timeoutMs });
  }

  /**
   * What the card shows in place of the bars when the Node's agent is missing: whether it never reported or
   * stopped, and the Node's capacity as shown (cpu, memory, pods); undefined when the agent reports.
   */
  async missingAgent(): Promise<
    { since: 'never' | 'stopped'; capacity: Record<string, string> } | undefined
  > {
    const block = this.root.locator('.missing-agent');
    if ((await block.count()) === 0) return undefined;
    const capacity = await block
      .locator('[data-capacity]')
      .evaluateAll((items) =>
        Object.fromEntries(
          items.map((i) => [i.getAttribute('data-capacity') ?? '', i.querySelector('dd')?.textContent ?? '']),
        ),
      );
    return { since: (await block.getAttribute('data-missing')) as 'never' | 'stopped', capacity };
  }

  /** The footer's last-update text: "just now", "Last seen 3 min ago", "Never reported". */
  async lastSeen(): Promise<string> {
    return (await this.root.locator('.last-seen').textContent()) ?? '';
  }

  /** The percentage shown on a bar, as text ("45%"), and its warning level. */
  async meter(field: 'cpu' | 'memory' | 'disk'): Promise<{ text: string; level: string }> {
    const meter = this.root.locator(`.meter[data-field="${field}"]`);
    return {
      text: (await meter.locator('.meter-value').textContent()) ?? '',
      level: (await meter.getAttribute('data-level')) ?? '',
    };
  }

  async waitForMeter(field: 'cpu' | 'memory' | 'disk', text: string, timeoutMs = 5_000): Promise<void> {
    await this.root
      .locator(`.meter[data-field="${field}"] .meter-value`, { hasText: text })
      .waitFor({ timeout: timeoutMs });
  }

  async text(field: 'netIn' | 'netOut'): Promise<string> {
    return (await this.root.locator(`[data-field="${field}"]`).textContent()) ?? '';
  }

  async flagSource(): Promise<string | null> {
    return this.root.locator('img.flag').getAttribute('src');
  }

  /** How many lines the sparkline draws (grid, CPU area, CPU, memory); none until it has two points. */
  async sparklinePaths(): Promise<number> {
    return this.root.locator('.sparkline path').count();
  }

  /** Where the sparkline's grid and its CPU line start, in the 120-wide viewBox. */
  async sparklineStarts(): Promise<{ grid: number; cpu: number }> {
    const x = async (selector: string) =>
      Number(/^M([\d.]+)/.exec((await this.root.locator(selector).getAttribute('d')) ?? '')?.[1]);
    return { grid: await x('.spark-grid'), cpu: await x('.spark-cpu') };
  }

  async sparklinePoints(): Promise<number> {
    const d = (await this.root.locator('.spark-cpu').getAttribute('d')) ?? '';
    return (d.match(/[ML]/g) ?? []).length;
  }
}

export class ServerTable {
  readonly root: Locator;

  constructor(private readonly page: Page) {
    this.root = page.locator('table.servers');
  }

  async sortBy(key: string): Promise<void> {
    await this.root.locator(`th[data-sort-key="${key}"] button`).click();
  }

  async sortState(key: string): Promise<string | null> {
    return this.root.locator(`th[data-sort-key="${key}"]`).getAttribute('aria-sort');
  }

  async serverIds(): Promise<string[]> {
    return this.root
      .locator('tbody tr[data-server-id]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-server-id') ?? ''));
  }

  row(serverId: string): Locator {
    return this.root.locator(`tbody tr[data-server-id="${serverId}"]`);
  }

  async rowStatus(serverId: string): Promise<ServerStatus> {
    return (await this.row(serverId).locator('.row-dot').getAttribute('data-status')) as ServerStatus;
  }

  /** A row's alert badges (the first, then "+N" for the others). */
  async rowAlerts(serverId: string): Promise<ShownAlert[]> {
    return alertBadgesIn(this.row(serverId));
  }

  /** A row's Node badges by their Kubernetes names, those behind its "+N" badge included. */
  async rowBadges(serverId: string): Promise<string[]> {
    return badgesIn(this.row(serverId));
  }

  /**
   * The column headings that do not fit their column: a label reaching past the cell's padding, or a sort mark
   * past the cell (both are clipped, the label with an ellipsis).
   */
  async clippedHeadings(): Promise<string[]> {
    return this.root.locator('thead th').evaluateAll((cells) =>
      cells
        .filter((th) => {
          const cell = th.getBoundingClientRect();
          const style = getComputedStyle(th);
          const left = cell.left + Number.parseFloat(style.paddingLeft) - 0.5;
          const right = cell.right - Number.parseFloat(style.paddingRight) + 0.5;
          const label = th.querySelector('.sort > span:not(.sort-mark)')?.getBoundingClientRect();
          const mark = th.querySelector('.sort-mark')?.getBoundingClientRect();
          const labelOut =
            label !== undefined && label.width > 1 && (label.left < left || label.right > right);
          const markOut =
            mark !== undefined && (mark.left < cell.left - 0.5 || mark.right > cell.right + 0.5);
          return labelOut || markOut || th.scrollWidth > th.clientWidth;
        })
        .map((th) => th.textContent?.trim() ?? ''),
    );
  }

  async waitForOrder(ids: string[], timeoutMs = 5_000): Promise<void> {
    await this.page.waitForFunction(
      (expected) =>
        Array.from(document.querySelectorAll('table.servers tbody tr[data-server-id]'))
          .map((r) => r.getAttribute('data-server-id'))
          .join(',') === expected.join(','),
      ids,
      { timeout: timeoutMs },
    );
  }
}

export class DetailsPage {
  readonly root: Locator;

  constructor(private readonly page: Page) {
    this.root = page.locator('.details .details-head');
  }

  async title(): Promise<string> {
    return (await this.root.locator('h1').textContent()) ?? '';
  }

  async filesystems(): Promise<string[]> {
    return this.page
      .locator('table.filesystems tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-mount') ?? ''));
  }

  async fact(key: string): Promise<string> {
    return (
      (await this.page.locator(`[data-section="system"] .fact[data-fact="${key}"] dd`).textContent()) ?? ''
    );
  }

  async status(): Promise<ServerStatus> {
    return (await this.root.locator('.status').getAttribute('data-status')) as ServerStatus;
  }

  /** The Node's badges in the heading, by their Kubernetes names; empty outside Kubernetes. */
  async badges(): Promise<string[]> {
    return badgesIn(this.root);
  }

  /** The sections shown below the heading, in order: history, filesystems, kubernetes, system. */
  async sections(): Promise<string[]> {
    return this.page
      .locator('.details [data-section]')
      .evaluateAll((sections) => sections.map((s) => s.getAttribute('data-section') ?? ''));
  }

  /**
   * The Kubernetes section as shown, by fact: nodeName, ready, readySince, readyReason, problems, scheduling,
   * roles, zone, region, instanceType, internalIP, kubeletVersion, containerRuntime, osImage, kernelVersion,
   * architecture, age, cpuCapacity, memoryCapacity, podCapacity, taints (one per line). Undefined when the server
   * is not a Node.
   */
  async kubernetes(): Promise<Record<string, string> | undefined> {
    const section = this.page.locator('[data-section="kubernetes"]');
    if ((await section.count()) === 0) return undefined;
    return section.locator('.fact').evaluateAll((facts) =>
      Object.fromEntries(
        facts.map((f) => {
          const dd = f.querySelector('dd');
          const items = Array.from(dd?.querySelectorAll('.fact-item') ?? []).map((i) => i.textContent ?? '');
          return [
            f.getAttribute('data-fact') ?? '',
            items.length > 0 ? items.join('\n') : (dd?.textContent ?? ''),
          ];
        }),
      ),
    );
  }

  /** The Node's taints as key=value:effect (key:effect without a value). */
  async taints(): Promise<string[]> {
    return this.page
      .locator('[data-section="kubernetes"] .fact[data-fact="taints"] .fact-item')
      .allTextContents();
  }

  /** How many points the CPU chart draws. */
  async cpuChartPoints(): Promise<number> {
    const d = (await this.page.locator('.chart').first().locator('.chart-line').getAttribute('d')) ?? '';
    return (d.match(/[ML]/g) ?? []).length;
  }

  async back(): Promise<void> {
    await this.page.locator('a.back').click();
  }

  /** Whether the details offer to remove the server (only an offline server outside Kubernetes). */
  async offersRemoval(): Promise<boolean> {
    return (await this.page.locator('.details-head [data-action="remove"]').count()) > 0;
  }

  /**
   * Removes the server as a person would: "Remove", the admin secret, "Remove server". Resolves with the refusal
   * shown, or undefined once the page went back to the list.
   */
  async remove(secret: string): Promise<string | undefined> {
    const form = this.page.locator('.details-head [data-action="remove-form"]');
    if ((await form.count()) === 0) await this.page.locator('.details-head [data-action="remove"]').click();
    await form.locator('input[name="secret"]').fill(secret);
    await form.locator('button[type="submit"]').click();
    const refusal = form.locator('.remove-refusal');
    const listed = this.page.locator('.summary, .empty').first();
    await Promise.race([refusal.waitFor(), this.page.waitForURL(/#\/$/)]);
    if ((await refusal.count()) > 0) return (await refusal.textContent()) ?? '';
    await listed.waitFor();
    return undefined;
  }

  /** The history range picker's choices as shown, and which one is pressed. */
  async ranges(): Promise<{ range: string; label: string; pressed: boolean }[]> {
    return this.page.locator('.range-picker button').evaluateAll((buttons) =>
      buttons.map((b) => ({
        range: b.getAttribute('data-range') ?? '',
        label: b.textContent ?? '',
        pressed: b.getAttribute('aria-pressed') === 'true',
      })),
    );
  }

  /** Points at a fraction of the first chart's width and returns its read-out (time, then each series). */
  async readOutAt(fraction: number): Promise<string[]> {
    const plot = this.page.locator('[data-section="history"] .chart-plot').first();
    const box = await plot.boundingBox();
    if (!box) throw new Error('the chart is not on screen');
    await this.page.mouse.move(box.x + box.width * fraction, box.y + box.height / 2);
    const tip = plot.locator('.chart-tip');
    await tip.waitFor();
    return tip.locator(':scope > div').allTextContents();
  }

  /** A screenshot of the history panel alone (the range picker and the charts). */
  async screenshotHistory(name: string): Promise<string> {
    mkdirSync(screenshotDir, { recursive: true });
    const path = join(screenshotDir, `${name}.png`);
    await this.page.locator('[data-section="history"]').screenshot({ path });
    return path;
  }

  /** Picks a history range with the mouse, or with the keyboard (focus the button, press Enter). */
  async pickRange(range: string, how: 'click' | 'keyboard' = 'click'): Promise<void> {
    const button = this.page.locator(`.range-picker button[data-range="${range}"]`);
    if (how === 'click') {
      await button.click();
    } else {
      await button.focus();
      await this.page.keyboard.press('Enter');
    }
  }

  /** Waits until the charts show the range's answer, and says which tier drew it with how many points. */
  async waitForHistory(range: string, timeoutMs = 5_000): Promise<{ tier: string; points: number }> {
    const charts = this.page.locator(`[data-section="history"] .charts[data-range="${range}"][data-tier]`);
    await charts.waitFor({ timeout: timeoutMs });
    return {
      tier: (await charts.getAttribute('data-tier')) ?? '',
      points: Number(await charts.getAttribute('data-points')),
    };
  }

  /** The charts by title: how many separate lines each series draws (one per run between gaps), whether the
   * faint band of maxima is drawn, and the x axis labels. */
  async charts(): Promise<{ title: string; segments: number[]; band: boolean; xLabels: string[] }[]> {
    return this.page.locator('[data-section="history"] .chart').evaluateAll((charts) =>
      charts.map((chart) => ({
        title: chart.querySelector('.chart-title')?.textContent ?? '',
        segments: Array.from(chart.querySelectorAll('.chart-line')).map(
          (line) => (line.getAttribute('d')?.match(/M/g) ?? []).length,
        ),
        band: Array.from(chart.querySelectorAll('.chart-band')).some(
          (band) => (band.getAttribute('d') ?? '') !== '',
        ),
        xLabels: Array.from(chart.querySelectorAll('.chart-x span')).map((label) => label.textContent ?? ''),
      })),
    );
  }
}

/** One row of the alert list as shown. */
export interface AlertListRow {
  severity: string;
  name: string;
  server: string;
  summary: string;
  state: string;
  duration: string;
}

export class AlertList {
  readonly root: Locator;

  constructor(private readonly page: Page) {
    this.root = page.locator('.alerts-view');
  }

  /** Shows only one severity (`all`: every one), as the severity buttons do. */
  async filterBySeverity(severity: 'all' | 'critical' | 'warning' | 'info'): Promise<void> {
    await this.root.locator(`[data-filter-group="severity"] button[data-value="${severity}"]`).click();
  }

  /** Shows firing, resolved or all alerts. */
  async filterByState(state: 'firing' | 'resolved' | 'all'): Promise<void> {
    await this.root.locator(`[data-filter-group="state"] button[data-value="${state}"]`).click();
  }

  async rows(): Promise<AlertListRow[]> {
    return this.root.locator('table.alert-list tbody tr').evaluateAll((rows) =>
      rows.map((r) => {
        const cells = Array.from(r.querySelectorAll('td')).map((c) => (c.textContent ?? '').trim());
        return {
          severity: r.getAttribute('data-severity') ?? '',
          name: cells[1] ?? '',
          server: cells[2] ?? '',
          summary: cells[3] ?? '',
          state: r.getAttribute('data-state') ?? '',
          duration: cells[5] ?? '',
        };
      }),
    );
  }

  async waitForRows(count: number, timeoutMs = 5_000): Promise<void> {
    await this.page.waitForFunction(
      (n) => document.querySelectorAll('.alerts-view table.alert-list tbody tr').length === n,
      count,
      { timeout: timeoutMs },
    );
  }

  /** What the list says when no row is shown. */
  async emptyText(): Promise<string> {
    return (await this.root.locator('.empty').textContent()) ?? '';
  }

  async openServer(serverName: string): Promise<void> {
    await this.root.locator('table.alert-list a', { hasText: serverName }).first().click();
  }
}
