// Issue 2, acceptance 8 and 9 (exposition): REST, health, JSON errors, the frontend token and /metrics values.
import type { FrontendServerInfo, ServerHistory } from '@sss/protocol';
import { seedExample } from '@sss/protocol/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { connectReporter, FrontendClient, opened, sendReport } from './support/clients';
import { sampleValue, scrape } from './support/metrics';
import { type Dashboard, startDashboard, stopAll } from './support/processes';

async function get(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; type: string; body: unknown }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
  const type = res.headers.get('content-type') ?? '';
  const body = res.status === 204 ? undefined : type.includes('json') ? await res.json() : await res.text();
  return { status: res.status, type, body };
}

describe('dashboard REST and metrics', () => {
  let dashboard: Dashboard;
  let reporter: WebSocket;
  let watcher: FrontendClient;
  const labels = { server_id: 'web-1', server_name: 'Web Server 1', group: 'production' };

  beforeAll(async () => {
    dashboard = await startDashboard();
    watcher = new FrontendClient(dashboard.wsUrl);
    await watcher.open();
    expect((await get(`${dashboard.url}/api/servers`)).body).toEqual([]);
    reporter = connectReporter(dashboard.wsUrl, 'web-1', dashboard.secret);
    await opened(reporter);
    sendReport(reporter, seedExample());
    sendReport(reporter, { ...seedExample(), cpu: { ...seedExample().cpu, percent: 12.5 } });
    await watcher.waitFor((m) => m.cpu.percent === 12.5);
  });
  afterAll(stopAll);

  it('answers /healthz and /readyz', async () => {
    expect(await get(`${dashboard.url}/healthz`)).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await get(`${dashboard.url}/readyz`)).toMatchObject({ status: 200, body: { status: 'ready' } });
  });

  it('lists servers and shows one, as the frontends see them', async () => {
    const list = (await get(`${dashboard.url}/api/servers`)).body as FrontendServerInfo[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      ...seedExample(),
      cpu: { ...seedExample().cpu, percent: 12.5 },
      online: true,
    });
    const one = await get(`${dashboard.url}/api/servers/web-1`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(list[0]);
  });

  it('returns the history as columns, oldest first, limited on request', async () => {
    const all = (await get(`${dashboard.url}/api/servers/web-1/history`)).body as ServerHistory;
    expect(all).toMatchObject({ serverId: 'web-1', interval: 5, cpu: [45.2, 12.5], memory: [50, 50] });
    expect(all.netIn).toEqual([1048576, 1048576]);
    expect(all.diskWrite).toEqual([524288, 524288]);
    expect(all.t).toHaveLength(2);
    expect((all.t[0] ?? 0) <= (all.t[1] ?? 0)).toBe(true);
    const last = (await get(`${dashboard.url}/api/servers/web-1/history?limit=1`)).body as ServerHistory;
    expect(last.cpu).toEqual([12.5]);
    expect(Object.keys(last).sort()).toEqual(
      [
        'serverId',
        'interval',
        't',
        'cpu',
        'memory',
        'netIn',
        'netOut',
        'diskRead',
        'diskWrite',
        'load',
      ].sort(),
    );
    expect(last.load).toEqual([null]); // the seed's report has no load average
  });

  it('answers a range from the ring when there is no store (SSS_DATA_DIR unset)', async () => {
    const day = (await get(`${dashboard.url}/api/servers/web-1/history?range=24h`)).body as ServerHistory;
    expect(day).toMatchObject({ tier: 'raw', step: 5, cpu: [45.2, 12.5] });
    expect((day.to ?? 0) - (day.from ?? 0)).toBe(86_400);
    expect(day.max).toBeUndefined();
    const window = (await get(`${dashboard.url}/api/servers/web-1/history?from=0&to=1`))
      .body as ServerHistory;
    expect(window).toMatchObject({ tier: 'raw', from: 0, to: 1, t: [], cpu: [] });
  });

  it.each([
    ['GET', '/api/servers/nope', 404, 'not_found', 'server "nope" is not known'],
    ['GET', '/api/servers/nope/history', 404, 'not_found', 'server "nope" is not known'],
    [
      'GET',
      '/api/servers/web-1/history?limit=ten',
      400,
      'bad_request',
      'limit must be a whole number from 1, got "ten"',
    ],
    [
      'GET',
      '/api/servers/web-1/history?limit=0',
      400,
      'bad_request',
      'limit must be a whole number from 1, got "0"',
    ],
    [
      'GET',
      '/api/servers/web-1/history?range=2h',
      400,
      'bad_request',
      'range must be one of 1h, 6h, 24h, 7d, 30d, got "2h"',
    ],
    [
      'GET',
      '/api/servers/web-1/history?range=1h&limit=5',
      400,
      'bad_request',
      'limit cannot be combined with range, from or to',
    ],
    [
      'GET',
      '/api/servers/web-1/history?range=1h&from=1',
      400,
      'bad_request',
      'range cannot be combined with from or to',
    ],
    [
      'GET',
      '/api/servers/web-1/history?from=yesterday',
      400,
      'bad_request',
      'from must be a time in Unix seconds, got "yesterday"',
    ],
    [
      'GET',
      '/api/servers/web-1/history?from=20&to=10',
      400,
      'bad_request',
      'from must be before to, got from=20 and to=10',
    ],
    ['POST', '/api/servers', 405, 'method_not_allowed', 'POST is not allowed here; use GET'],
    ['PUT', '/api/servers/web-1', 405, 'method_not_allowed', 'PUT is not allowed here; use GET or DELETE'],
    ['GET', '/api/nothing', 404, 'not_found', 'no API at GET /api/nothing'],
    [
      'DELETE',
      '/api/servers/web-1',
      403,
      'forbidden',
      'removing a server needs the shared secret in X-AUTH-SECRET',
    ],
  ])('%s %s answers %i with a JSON error', async (method, path, status, error, message) => {
    const res = await get(`${dashboard.url}${path}`, { method });
    expect(res).toEqual({
      status,
      type: expect.stringContaining('application/json'),
      body: { error, message },
    });
  });

  it('exposes the reported values in /metrics, computed at scrape time', async () => {
    const samples = await scrape(dashboard.url);
    const v = (name: string, extra: Record<string, string> = {}) =>
      sampleValue(samples, name, { ...labels, ...extra });
    expect(v('sss_server_up')).toBe(1);
    expect(v('sss_server_cpu_usage_ratio')).toBeCloseTo(0.125, 10);
    expect(v('sss_server_cpu_cores')).toBe(8);
    expect(v('sss_server_memory_total_bytes')).toBe(16777216000);
    expect(v('sss_server_memory_used_bytes')).toBe(8388608000);
    expect(v('sss_server_memory_available_bytes')).toBe(8388608000);
    expect(v('sss_server_filesystem_size_bytes', { path: '/' })).toBe(107374182400);
    expect(v('sss_server_filesystem_used_bytes', { path: '/' })).toBe(53687091200);
    expect(v('sss_server_filesystem_free_bytes', { path: '/' })).toBe(53687091200);
    expect(v('sss_server_disk_read_bytes_per_second', { path: '/' })).toBe(1048576);
    expect(v('sss_server_disk_write_bytes_per_second', { path: '/' })).toBe(524288);
    expect(v('sss_server_network_receive_bytes_total', { interface: 'eth0' })).toBe(2147483648);
    expect(v('sss_server_network_transmit_bytes_total', { interface: 'eth0' })).toBe(1073741824);
    expect(v('sss_server_network_receive_bytes_per_second', { interface: 'eth0' })).toBe(1048576);
    expect(v('sss_server_network_transmit_bytes_per_second', { interface: 'eth0' })).toBe(524288);
    expect(v('sss_server_uptime_seconds')).toBe(864000);
    const info = {
      os: 'linux',
      platform: 'ubuntu',
      arch: 'amd64',
      kernel: '5.15.0-58-generic',
      cpu_model: 'Intel(R) Xeon(R) CPU E5-2680 v4',
    };
    expect(v('sss_server_info', info)).toBe(1);
    const lastReport = v('sss_server_last_report_timestamp_seconds');
    expect(Math.abs(lastReport - Date.now() / 1000)).toBeLessThan(60);
    expect(sampleValue(samples, 'sss_reports_total')).toBe(2);
    expect(sampleValue(samples, 'sss_agent_connections')).toBe(1);
    expect(sampleValue(samples, 'sss_frontend_connections')).toBe(1);
    expect(sampleValue(samples, 'sss_broadcast_duration_seconds_count')).toBe(2);
    expect(samples.some((s) => s.name === 'process_resident_memory_bytes')).toBe(true);
  });

  it('removes a server with the shared secret: frontends get removed: true, metrics and REST forget it', async () => {
    reporter.close();
    await watcher.waitFor((m) => !m.online);
    const res = await get(`${dashboard.url}/api/servers/web-1`, {
      method: 'DELETE',
      headers: { 'X-AUTH-SECRET': dashboard.secret },
    });
    expect(res.status).toBe(204);
    const removed = await watcher.waitFor((m) => m.removed === true);
    expect(removed.info).toMatchObject({ serverId: 'web-1', online: false, removed: true });
    expect((await get(`${dashboard.url}/api/servers`)).body).toEqual([]);
    expect((await scrape(dashboard.url)).filter((s) => s.name === 'sss_server_up')).toEqual([]);
  });
});

describe('offline servers in /metrics', () => {
  afterAll(stopAll);

  it('keep up=0, last report and info, and drop their stale values', async () => {
    const dashboard = await startDashboard();
    const reporter = connectReporter(dashboard.wsUrl, 'web-1', dashboard.secret);
    await opened(reporter);
    sendReport(reporter, seedExample());
    // vitest's default poll gives up after 1 s, short for a report, a close and a scrape on a busy machine.
    await expect
      .poll(async () => (await scrape(dashboard.url)).some((s) => s.name === 'sss_server_up'), {
        timeout: 10_000,
      })
      .toBe(true);
    reporter.close();
    await expect
      .poll(async () => sampleValue(await scrape(dashboard.url), 'sss_server_up'), { timeout: 10_000 })
      .toBe(0);
    const names = new Set((await scrape(dashboard.url)).filter((s) => s.labels.server_id).map((s) => s.name));
    expect([...names].sort()).toEqual([
      'sss_server_info',
      'sss_server_last_report_timestamp_seconds',
      'sss_server_up',
    ]);
  });
});

describe('frontend token', () => {
  afterAll(stopAll);

  it('guards /api and /ws-frontend when SSS_FRONTEND_TOKEN is set, leaving health and metrics open', async () => {
    const dashboard = await startDashboard({ SSS_FRONTEND_TOKEN: 'let-me-see' });
    expect(await get(`${dashboard.url}/api/servers`)).toMatchObject({
      status: 401,
      body: { error: 'unauthorized' },
    });
    expect((await get(`${dashboard.url}/api/servers?token=wrong`)).status).toBe(401);
    expect((await get(`${dashboard.url}/api/servers?token=let-me-see`)).body).toEqual([]);
    const bearer = await get(`${dashboard.url}/api/servers`, {
      headers: { Authorization: 'Bearer let-me-see' },
    });
    expect(bearer.status).toBe(200);
    expect((await get(`${dashboard.url}/healthz`)).status).toBe(200);
    expect((await get(`${dashboard.url}/metrics`)).status).toBe(200);

    const refused = new FrontendClient(dashboard.wsUrl);
    await expect(refused.open()).rejects.toThrow(/401/);
    const allowed = new FrontendClient(dashboard.wsUrl, '?token=let-me-see');
    await allowed.open();
    allowed.close();
  });
});
