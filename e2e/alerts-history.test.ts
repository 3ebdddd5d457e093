// Alert states in the history store, with real processes: a firing alert outlives a kill -9 (after a flush) and a
// SIGTERM of the dashboard, keeps its startsAt, is not notified again as new, and resolves once when its agent
// returns; resolved alerts from before the restart are still listed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { alertsOf, withCpu } from './support/alerts';
import { connectReporter, opened, sendReport } from './support/clients';
import { type Dashboard, newSecret, startAgent, startDashboard, stopAll } from './support/processes';
import { WebhookReceiver } from './support/receiver';
import { type RedisServer, redisServerPath, startRedis } from './support/redis';

const dir = mkdtempSync(join(tmpdir(), 'sss-alert-history-'));
const receivers: WebhookReceiver[] = [];
let redis: RedisServer | undefined;

afterEach(async () => {
  await stopAll();
  await redis?.close();
  redis = undefined;
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function hookOn(config: string, lines: string[]): Promise<WebhookReceiver> {
  const hook = new WebhookReceiver();
  receivers.push(hook);
  await hook.up();
  writeFileSync(
    config,
    [...lines, 'notifications:', '  - name: hook', '    type: webhook', `    url: ${hook.url}`].join('\n'),
  );
  return hook;
}

const SENDS = 'replicas: this replica sends the alert notifications';

/** The alert rows in the file, as another process reads them. */
function storedAlerts(dataDir: string): { server_id: string; ends_at: number | null }[] {
  const db = new Database(join(dataDir, 'history.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT server_id, ends_at FROM alerts ORDER BY starts_at').all() as {
      server_id: string;
      ends_at: number | null;
    }[];
  } finally {
    db.close();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('alert history across restarts', () => {
  it('restores a firing alert after kill -9 and after SIGTERM with its startsAt, notifies no new firing, resolves once; lists resolved alerts from before', async () => {
    const hook = new WebhookReceiver();
    receivers.push(hook);
    await hook.up();
    const dataDir = join(dir, 'data');
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      [
        'alerts:',
        '  - name: ServerOffline',
        '    kind: offline',
        '    for: 2s',
        '    severity: critical',
        '    servers: [box-1]',
        '  - name: CpuHot',
        '    kind: cpu',
        '    threshold: 90',
        '    for: 0s',
        '    servers: [old-1]',
        'notifications:',
        '  - name: hook',
        '    type: webhook',
        `    url: ${hook.url}`,
      ].join('\n'),
    );
    const env = {
      SSS_DATA_DIR: dataDir,
      SSS_INTERVAL: '0.5',
      SSS_CONFIG: config,
    };
    // The first picks its port; the restarts take the same (the agent reconnects to it).
    const first = await startDashboard(env);
    const start = (again: Record<string, string> = {}) =>
      startDashboard({ ...env, SSS_PORT: String(first.port), SSS_AUTH_SECRET: first.secret, ...again });

    // An alert that fires and resolves before the restart.
    const reporter = connectReporter(first.wsUrl, 'old-1', first.secret);
    await opened(reporter);
    sendReport(reporter, withCpu('old-1', 95));
    await hook.waitForAlert((a) => a.labels.server_id === 'old-1' && a.status === 'firing', 10_000);
    sendReport(reporter, withCpu('old-1', 10));
    await hook.waitForAlert((a) => a.labels.server_id === 'old-1' && a.status === 'resolved', 10_000);
    const [resolvedBefore] = await alertsOf(first, '?state=resolved');
    expect(resolvedBefore).toMatchObject({ state: 'resolved', labels: { server_id: 'old-1' } });

    // A real agent stops: ServerOffline fires.
    const agentEnv = { SSS_HEALTH_PORT: '0', SSS_INTERVAL: '0.5', SSS_SERVER_ID: 'box-1' };
    let agent = startAgent(first, agentEnv);
    await expect
      .poll(async () => (await fetch(`${first.url}/api/servers/box-1`)).status, { timeout: 15_000 })
      .toBe(200);
    await agent.stop();
    const firing = await hook.waitForAlert(
      (a) => a.labels.server_id === 'box-1' && a.status === 'firing',
      15_000,
    );
    // Killed after a flush (every 10 s) wrote both alerts.
    await expect
      .poll(
        () =>
          storedAlerts(dataDir).map((a) => `${a.server_id} ${a.ends_at === null ? 'firing' : 'resolved'}`),
        {
          timeout: 20_000,
          interval: 500,
        },
      )
      .toEqual(['old-1 resolved', 'box-1 firing']);
    await first.stop('SIGKILL');

    const second = await start();
    await second.waitForLog((l) => l.msg === 'alerts: firing alerts restored' && l.alerts === 1);
    const [restored] = await alertsOf(second, '?state=firing');
    expect(restored).toMatchObject({
      state: 'firing',
      fingerprint: firing.fingerprint,
      labels: firing.labels,
    });
    expect(Date.parse(restored?.startsAt ?? '')).toBe(Date.parse(firing.startsAt));
    const server = (await (await fetch(`${second.url}/api/servers/box-1`)).json()) as {
      online: boolean;
      alerts?: { fingerprint: string; since: number }[];
    };
    expect(server.online).toBe(false);
    expect(server.alerts).toEqual([
      expect.objectContaining({ fingerprint: firing.fingerprint, since: Date.parse(firing.startsAt) / 1000 }),
    ]);
    // The resolved alert from before the restart, from the store.
    expect(await alertsOf(second, '?state=resolved')).toEqual([resolvedBefore]);
    expect(await alertsOf(second, '?state=resolved&server=old-1&limit=5')).toEqual([resolvedBefore]);
    expect(await alertsOf(second, '?state=resolved&severity=critical')).toEqual([]);
    // Three evaluations later: nothing new was sent for box-1.
    await sleep(3_000);
    const ofBox = () =>
      hook
        .alerts()
        .filter((a) => a.labels.server_id === 'box-1')
        .map((a) => `${a.status} ${a.startsAt}`);
    expect(ofBox()).toEqual([`firing ${firing.startsAt}`]);

    // The agent returns: resolved once, with the original startsAt.
    agent = startAgent(second, agentEnv);
    const resolved = await hook.waitForAlert(
      (a) => a.labels.server_id === 'box-1' && a.status === 'resolved',
      15_000,
    );
    expect(resolved).toMatchObject({ fingerprint: firing.fingerprint, startsAt: firing.startsAt });
    await sleep(2_000);
    expect(ofBox()).toEqual([`firing ${firing.startsAt}`, `resolved ${firing.startsAt}`]);
    expect(await alertsOf(second, '?state=firing')).toEqual([]);

    // SIGTERM writes everything at once: an alert that fired a moment before the stop is restored too.
    await agent.stop();
    const again = await hook.waitForAlert(
      (a) => a.labels.server_id === 'box-1' && a.status === 'firing' && a.startsAt !== firing.startsAt,
      15_000,
    );
    expect((await second.stop('SIGTERM')).code).toBe(0);
    const third = await start();
    const [restoredAgain] = await alertsOf(third, '?state=firing');
    expect(Date.parse(restoredAgain?.startsAt ?? '')).toBe(Date.parse(again.startsAt));
    const past = await alertsOf(third, '?state=resolved');
    expect(past.map((a) => `${a.labels.server_id} ${Date.parse(a.startsAt ?? '')}`)).toEqual([
      `box-1 ${Date.parse(firing.startsAt)}`,
      `old-1 ${Date.parse(resolvedBefore?.startsAt ?? '')}`,
    ]);
    await sleep(3_000);
    expect(ofBox()).toEqual([
      `firing ${firing.startsAt}`,
      `resolved ${firing.startsAt}`,
      `firing ${again.startsAt}`,
    ]);
    const bad = await fetch(`${third.url}/api/alerts?limit=0`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: 'bad_request',
      message: 'limit must be a whole number from 1 to 10000, got "0"',
    });
  }, 120_000);

  it.skipIf(!redisServerPath)(
    'with replicas: the lease holder killed and restarted restores the alert; nobody sends a second firing, one replica sends the resolution',
    async () => {
      redis = await startRedis();
      const config = join(dir, 'replicas.yaml');
      const hook = await hookOn(config, [
        'alerts:',
        '  - name: ServerOffline',
        '    kind: offline',
        '    for: 1s',
        '    severity: critical',
      ]);
      const secret = newSecret();
      const replica = (i: number) =>
        startDashboard({
          SSS_AUTH_SECRET: secret,
          SSS_REDIS_URL: (redis as RedisServer).url,
          SSS_REPLICA_ID: `dash-${i}`,
          SSS_DATA_DIR: join(dir, `replica-${i}`),
          SSS_CONFIG: config,
          SSS_INTERVAL: '1',
        });
      const replicas = [await replica(0), await replica(1)];
      // Both on the bus before the report, or the one not yet connected never hears of box-1 (it reports once).
      await Promise.all(
        replicas.map((d) => d.waitForLog((l) => l.msg === 'replicas: connected to redis', 10_000)),
      );
      await expect
        .poll(() => replicas.findIndex((d) => d.lines.some((l) => l.msg === SENDS)), { timeout: 10_000 })
        .toBeGreaterThanOrEqual(0);
      const holder = replicas.findIndex((d) => d.lines.some((l) => l.msg === SENDS));
      const other = replicas[1 - holder] as Dashboard;

      const reporter = connectReporter(other.wsUrl, 'box-1', secret);
      await opened(reporter);
      sendReport(reporter, withCpu('box-1', 10));
      for (const d of replicas) {
        await expect
          .poll(async () => (await fetch(`${d.url}/api/servers/box-1`)).status, { timeout: 5_000 })
          .toBe(200);
      }
      reporter.close();
      const firing = await hook.waitForAlert((a) => a.status === 'firing', 10_000);
      const startsAt = async (d: Dashboard) => (await alertsOf(d, '?state=firing'))[0]?.startsAt;
      await expect.poll(() => startsAt(replicas[holder] as Dashboard), { timeout: 5_000 }).toBeDefined();
      const holderStartsAt = await startsAt(replicas[holder] as Dashboard);
      await expect
        .poll(() => storedAlerts(join(dir, `replica-${holder}`)).length, { timeout: 20_000, interval: 500 })
        .toBe(1);
      await (replicas[holder] as Dashboard).stop('SIGKILL');

      const restarted = await replica(holder);
      await restarted.waitForLog((l) => l.msg === 'alerts: firing alerts restored' && l.alerts === 1);
      expect(await startsAt(restarted)).toBe(holderStartsAt);
      // A replica holds the lease again (the restarted one, under its replica id, or the survivor); it has the alert
      // firing already, so no replica sends a firing again.
      await expect
        .poll(
          () =>
            restarted.lines.some((l) => l.msg === SENDS) ||
            other.lines.filter((l) => l.msg === SENDS).length > 0,
          {
            timeout: 15_000,
          },
        )
        .toBe(true);
      console.log(
        'notification lease after the restart:',
        restarted.lines.some((l) => l.msg === SENDS) ? 'the restarted replica' : 'the survivor',
      );
      await sleep(3_000);
      expect(await startsAt(restarted)).toBe(holderStartsAt);
      expect(hook.alerts().map((a) => a.status)).toEqual(['firing']);

      const back = connectReporter(restarted.wsUrl, 'box-1', secret);
      await opened(back);
      sendReport(back, withCpu('box-1', 10));
      const resolved = await hook.waitForAlert((a) => a.status === 'resolved', 10_000);
      expect(resolved.fingerprint).toBe(firing.fingerprint);
      for (const d of [restarted, other])
        await expect.poll(() => alertsOf(d, '?state=firing'), { timeout: 5_000 }).toEqual([]);
      await sleep(3_000);
      expect(hook.alerts().map((a) => a.status)).toEqual(['firing', 'resolved']);
      back.close();
    },
    90_000,
  );
});
