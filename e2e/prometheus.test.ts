// Issue 2, acceptance 9: a real Prometheus server (Debian's package) scrapes the dashboard, and a reported value
// comes back through the Prometheus HTTP API.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fullExample, seedExample } from '@sss/protocol/fixtures';
import { afterAll, describe, expect, it } from 'vitest';
import { connectReporter, opened, sendReport } from './support/clients';
import { type Program, startDashboard, stopAll } from './support/processes';
import { startPrometheus } from './support/prometheus';
import { findTool } from './support/tools';

const prometheus = findTool('prometheus');
const promtool = findTool('promtool');

interface QueryResult {
  status: string;
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

describe.skipIf(!promtool)('promtool', () => {
  afterAll(stopAll);

  it('finds the exposition well formed and our families lint-clean', async () => {
    const dashboard = await startDashboard();
    const reporter = connectReporter(dashboard.wsUrl, 'web-1', dashboard.secret);
    await opened(reporter);
    // Label values that need escaping, and a second filesystem.
    const info = seedExample();
    info.serverName = 'Web "one" \\ main';
    info.disk.push({ ...(info.disk[0] as (typeof info.disk)[0]), path: '/var/lib/"odd"' });
    sendReport(reporter, info);
    let text = '';
    await expect
      .poll(
        async () => {
          text = await (await fetch(`${dashboard.url}/metrics`)).text();
          return text.includes('sss_server_up{');
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    const check = spawnSync(promtool ?? 'promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    const problems = `${check.stdout}${check.stderr}`.split('\n').filter((l) => l.trim() !== '');
    // prom-client's own nodejs_* gauges end in _total, which promtool's linter dislikes; nothing else may appear.
    expect(problems.filter((l) => !l.startsWith('nodejs_'))).toEqual([]);
    expect(text).toContain('server_name="Web \\"one\\" \\\\ main"');
    expect(text).toContain('path="/var/lib/\\"odd\\""');
  });

  it('finds the extension families (load, swap, interfaces, temperatures, processes, sockets) lint-clean', async () => {
    const dashboard = await startDashboard();
    const reporter = connectReporter(dashboard.wsUrl, 'web-1', dashboard.secret);
    await opened(reporter);
    const info = fullExample();
    // A sensor name that needs escaping.
    info.temperatures?.push({ sensor: 'it8728 "temp\\2"', celsius: 35 });
    sendReport(reporter, info);
    let text = '';
    await expect
      .poll(
        async () => {
          text = await (await fetch(`${dashboard.url}/metrics`)).text();
          return text.includes('sss_server_load1{');
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    const check = spawnSync(promtool ?? 'promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    const problems = `${check.stdout}${check.stderr}`.split('\n').filter((l) => l.trim() !== '');
    expect(problems.filter((l) => !l.startsWith('nodejs_'))).toEqual([]);
    for (const family of [
      'sss_server_load1',
      'sss_server_load5',
      'sss_server_load15',
      'sss_server_memory_swap_total_bytes',
      'sss_server_memory_swap_used_bytes',
      'sss_server_memory_cached_bytes',
      'sss_server_processes',
      'sss_server_boot_time_seconds',
      'sss_server_sockets_inuse',
      'sss_server_tcp_connections_established',
      'sss_server_temperature_celsius',
      'sss_server_temperature_critical_celsius',
      'sss_server_disk_io_utilization_ratio',
    ]) {
      expect(text).toMatch(new RegExp(`^${family}\\{server_id="web-1"`, 'm'));
    }
    expect(text).toContain('interface="eth1"');
    expect(text).toContain('sensor="it8728 \\"temp\\\\2\\""');
  });
});

describe.skipIf(!prometheus)('Prometheus scraping the dashboard', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sss-prometheus-'));
  let server: Program | undefined;
  afterAll(async () => {
    await server?.stop();
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the reported memory total back through the query API, scraping with the metrics token', async () => {
    // The token as the chart mounts it: a file, read by Prometheus (credentials_file) and the dashboard.
    const token = join(dir, 'metrics-token');
    writeFileSync(token, 'scrape-token\n');
    const dashboard = await startDashboard({ SSS_METRICS_TOKEN_FILE: token });
    expect((await fetch(`${dashboard.url}/metrics`)).status).toBe(401);
    const reporter = connectReporter(dashboard.wsUrl, 'web-1', dashboard.secret);
    await opened(reporter);
    sendReport(reporter, seedExample());

    const prom = await startPrometheus(prometheus ?? 'prometheus', dir, [
      'global: { scrape_interval: 1s, scrape_timeout: 1s }',
      'scrape_configs:',
      '  - job_name: sss-dashboard',
      `    authorization: { credentials_file: ${JSON.stringify(token)} }`,
      `    static_configs: [{ targets: ["127.0.0.1:${dashboard.port}"] }]`,
      // The same target without the token: Prometheus records the 401 as a failed scrape.
      '  - job_name: sss-no-token',
      `    static_configs: [{ targets: ["127.0.0.1:${dashboard.port}"] }]`,
    ]);
    server = prom.program;

    const query = async (promql: string): Promise<QueryResult> => {
      const url = `${prom.base}/api/v1/query?query=${encodeURIComponent(promql)}`;
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return (await res.json()) as QueryResult;
    };
    const memory = 'sss_server_memory_total_bytes{server_id="web-1"}';
    await expect
      .poll(async () => (await query(memory).catch(() => undefined))?.data.result.length ?? 0, {
        timeout: 30_000,
        interval: 500,
      })
      .toBe(1);
    const result = (await query(memory)).data.result[0];
    expect(result?.metric).toMatchObject({
      __name__: 'sss_server_memory_total_bytes',
      job: 'sss-dashboard',
      server_id: 'web-1',
      server_name: 'Web Server 1',
      group: 'production',
    });
    expect(Number(result?.value[1])).toBe(16777216000);

    // Polled: one scrape past its 1 s timeout on a busy machine reads as up 0 until the next.
    await expect
      .poll(async () => (await query('up{job="sss-dashboard"}')).data.result[0]?.value[1], {
        timeout: 10_000,
      })
      .toBe('1');
    await expect
      .poll(async () => (await query('up{job="sss-no-token"}')).data.result[0]?.value[1], { timeout: 10_000 })
      .toBe('0');
    const info = (await query('sss_server_info{server_id="web-1"}')).data.result[0];
    expect(info?.metric).toMatchObject({ platform: 'ubuntu', arch: 'amd64', kernel: '5.15.0-58-generic' });

    // A report with the extension fields: its load average and an interface's counter come back through PromQL.
    sendReport(reporter, { ...fullExample(), timestamp: Math.floor(Date.now() / 1000) });
    const load = 'sss_server_load1{server_id="web-1"}';
    await expect
      .poll(async () => (await query(load).catch(() => undefined))?.data.result[0]?.value[1], {
        timeout: 30_000,
        interval: 500,
      })
      .toBe('3.12');
    const eth1 = (await query('sss_server_network_receive_bytes_total{server_id="web-1",interface="eth1"}'))
      .data.result[0];
    expect(Number(eth1?.value[1])).toBe(104857600);
    const hot = (await query('max by (sensor) (sss_server_temperature_celsius{server_id="web-1"}) > 50')).data
      .result;
    expect(hot.map((r) => r.metric.sensor)).toEqual(['coretemp Package id 0']);
  });
});
