// Issue 11, acceptance 2 and 3: a real Prometheus (Debian's package) scrapes a real dashboard with the chart's
// PrometheusRule loaded (its groups as `helm template` renders them, with durations shortened through values so
// that nothing waits minutes). SSSServerDown fires once a real agent is stopped, and SSSDashboardScrapeLost once the
// dashboard is; every PromQL expression of the chart's Grafana dashboard, its variables substituted as Grafana
// substitutes them, returns data.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fullExample } from '@sss/protocol/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { helm } from './chart/chart';
import { dashboardQueries, grafanaDashboard, substitute } from './chart/grafana';
import { renderRuleGroups, writeRuleFile } from './chart/prometheus-rules';
import { connectReporter, opened, sendReport } from './support/clients';
import { type Dashboard, type Program, startAgent, startDashboard, stopAll } from './support/processes';
import { startPrometheus } from './support/prometheus';
import { findTool } from './support/tools';

const prometheus = findTool('prometheus');

interface Sample {
  metric: Record<string, string>;
}

interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
}

/** Every alert of the chart fires 2 s after its condition holds; the rules are evaluated every second. */
const shortValues = {
  metrics: {
    prometheusRule: {
      interval: '1s',
      scrapeSelector: 'job="sss-dashboard"',
      rules: Object.fromEntries(
        [
          'serverDown',
          'nodeAgentMissing',
          'filesystemFillingUp',
          'filesystemAlmostFull',
          'memoryHigh',
          'cpuSaturated',
          'dashboardScrapeLost',
        ].map((rule) => [rule, { for: '2s' }]),
      ),
    },
  },
};

describe.skipIf(!prometheus || !helm)('Prometheus with the chart rules and Grafana dashboard', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sss-prometheus-chart-'));
  let server: Program | undefined;
  let dashboard: Dashboard;
  let agent: Program;
  let reports: NodeJS.Timeout | undefined;
  let base = '';

  async function api<T>(path: string): Promise<T> {
    const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(2_000) });
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`${path}: ${body.error}`);
    return body.data;
  }
  const query = async (promql: string) =>
    (await api<{ result: Sample[] }>(`/api/v1/query?query=${encodeURIComponent(promql)}`)).result;
  const alerts = async () => (await api<{ alerts: Alert[] }>('/api/v1/alerts')).alerts;
  const firing = async (alertname: string) =>
    (await alerts()).filter((a) => a.labels.alertname === alertname && a.state === 'firing');

  beforeAll(async () => {
    // Offline after 3 intervals of 1 s without a report; one built-in rule that web-1's 45 % CPU fires, so that
    // sss_alert_firing, which the Grafana dashboard shows, has a series.
    const config = join(dir, 'sss-config.yaml');
    writeFileSync(
      config,
      stringify({ alerts: [{ name: 'CpuBusy', kind: 'cpu', threshold: 40, for: '1s', servers: ['web-1'] }] }),
    );
    dashboard = await startDashboard({ SSS_INTERVAL: '1', SSS_CONFIG: config });
    // web-1 reports every field the Grafana dashboard shows; agent-1 is a real agent, stopped below.
    const reporter = connectReporter(dashboard.wsUrl, 'web-1', dashboard.secret);
    await opened(reporter);
    const report = () => sendReport(reporter, { ...fullExample(), timestamp: Math.floor(Date.now() / 1000) });
    report();
    reports = setInterval(report, 500);
    agent = startAgent(dashboard, { SSS_HEALTH_PORT: '0', SSS_INTERVAL: '1', SSS_SERVER_ID: 'agent-1' });

    const values = join(dir, 'values.yaml');
    writeFileSync(values, stringify(shortValues));
    writeRuleFile(join(dir, 'rules.yaml'), renderRuleGroups({ values: [values] }));
    const prom = await startPrometheus(prometheus ?? 'prometheus', dir, [
      'global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }',
      'rule_files: [rules.yaml]',
      'scrape_configs:',
      '  - job_name: sss-dashboard',
      `    static_configs: [{ targets: ["127.0.0.1:${dashboard.port}"] }]`,
    ]);
    server = prom.program;
    base = prom.base;
  }, 60_000);

  afterAll(async () => {
    clearInterval(reports);
    await server?.stop();
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('scrapes both servers and loads every rule of the chart', async () => {
    await expect
      .poll(async () => (await query('sss_server_up == 1').catch(() => [])).length, {
        timeout: 30_000,
        interval: 500,
      })
      .toBe(2);
    const groups = await api<{ groups: { rules: { name: string; health: string }[] }[] }>('/api/v1/rules');
    const rules = groups.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.name)).toEqual(renderRuleGroups().flatMap((g) => g.rules.map((r) => r.alert)));
    expect(rules.filter((r) => r.health === 'err')).toEqual([]);
  }, 45_000);

  it('names only families the dashboard exports, in the rules and in the Grafana dashboard', async () => {
    const text = await (
      await fetch(`${dashboard.url}/metrics`, { signal: AbortSignal.timeout(5_000) })
    ).text();
    const exported = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    const used = [
      ...renderRuleGroups().flatMap((g) => g.rules.map((r) => r.expr)),
      ...dashboardQueries(grafanaDashboard()).map((q) => q.expr),
    ].flatMap((expr) => expr.match(/\bsss_[a-z0-9_]+/g) ?? []);
    expect(used.length).toBeGreaterThan(20);
    expect([...new Set(used)].filter((name) => !exported.has(name))).toEqual([]);
  });

  it('answers every query of the Grafana dashboard with data (group All, server web-1)', async () => {
    const variables = { group: '.*', server: 'web-1', __rate_interval: '30s' };
    const queries = dashboardQueries(grafanaDashboard());
    expect(queries.length).toBeGreaterThan(30);
    for (const q of queries) {
      const expr = substitute(q.expr, variables);
      let result: Sample[] = [];
      await expect
        .poll(
          async () => {
            result = await query(expr);
            return result.length;
          },
          { timeout: 15_000, interval: 500, message: `${q.where}: ${expr}` },
        )
        .toBeGreaterThan(0);
      if (q.label) {
        const listed = result.map((s) => s.metric[q.label ?? '']);
        expect(listed, q.where).toContain(q.label === 'group' ? 'production' : 'web-1');
      }
    }
  }, 120_000);

  it('fires SSSServerDown for a stopped agent, and for nothing else', async () => {
    expect((await alerts()).filter((a) => a.labels.alertname === 'SSSServerDown')).toEqual([]);
    await agent.stop();
    await expect
      .poll(async () => (await firing('SSSServerDown')).map((a) => a.labels.server_id), {
        timeout: 20_000,
        interval: 500,
      })
      .toEqual(['agent-1']);
    const [alert] = await firing('SSSServerDown');
    expect(alert?.labels).toMatchObject({ severity: 'critical', job: 'sss-dashboard', server_id: 'agent-1' });
    expect(alert?.annotations.summary).toBe('Server agent-1 (agent-1) has not reported for 2s');
    expect(alert?.annotations.description).toContain('`kubectl get node agent-1`');
  }, 30_000);

  it('fires SSSDashboardScrapeLost once the dashboard is gone', async () => {
    expect(await firing('SSSDashboardScrapeLost')).toEqual([]);
    clearInterval(reports);
    await dashboard.stop();
    await expect
      .poll(async () => (await firing('SSSDashboardScrapeLost')).map((a) => a.labels.instance), {
        timeout: 20_000,
        interval: 500,
      })
      .toEqual([`127.0.0.1:${dashboard.port}`]);
  }, 30_000);
});
