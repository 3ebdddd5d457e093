// Issue 11: the chart's Grafana dashboard. Grafana is not installable here (Debian has no grafana package:
// `apt-cache policy grafana` lists no candidate), so the JSON is checked against a schema of what Grafana's import
// needs (grafana-dashboard.schema.json; helm's own JSON Schema validator runs it, as it runs values.schema.json)
// and for what the schema cannot say; e2e/prometheus-chart.test.ts runs every query against a real Prometheus.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/paths';
import { helm, render, runHelm } from './chart';
import { dashboardQueries, type GrafanaDashboard, grafanaDashboard, grafanaDashboardFile } from './grafana';

/** PromQL's words that are not metric names. */
const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'and', 'or', 'unless', 'bool']);

/** The metric names an expression selects: identifiers outside label matchers, ranges and grouping clauses. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, ' ');
  return [...bare.matchAll(/\b[a-zA-Z_:][a-zA-Z0-9_:]*\b(?!\s*\()/g)]
    .map((m) => m[0])
    .filter((word) => !PROMQL_WORDS.has(word) && !/^\d/.test(word));
}

describe.skipIf(!helm)('chart: Grafana dashboard', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sss-grafana-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const dashboard = grafanaDashboard();

  /** helm validates a values file against a chart's values.schema.json: a chart of the schema alone does it here. */
  function validate(json: unknown) {
    const chart = join(dir, 'schema-chart');
    mkdirSync(join(chart, 'templates'), { recursive: true });
    writeFileSync(
      join(chart, 'Chart.yaml'),
      'apiVersion: v2\nname: grafana-dashboard-schema\nversion: 0.0.0\n',
    );
    copyFileSync(
      join(repoRoot, 'e2e/chart/grafana-dashboard.schema.json'),
      join(chart, 'values.schema.json'),
    );
    const file = join(dir, 'dashboard.json');
    writeFileSync(file, JSON.stringify(json));
    return runHelm(['template', 'check', chart, '-f', file]);
  }

  it('is not rendered unless enabled', () => {
    expect(render().has('ConfigMap')).toBe(false);
  });

  it("ships the JSON in a ConfigMap labelled for Grafana's sidecar, label and namespace configurable", () => {
    const map = render({ set: { 'metrics.grafanaDashboard.enabled': true } }).one(
      'ConfigMap',
      'sss-grafana-dashboard',
    );
    expect(map.metadata.namespace).toBe('monitoring');
    expect(map.metadata.labels.grafana_dashboard).toBe('1');
    expect(JSON.parse(map.data['simple-server-status.json'])).toEqual(dashboard);
    const custom = render({
      set: {
        'metrics.grafanaDashboard.enabled': true,
        'metrics.grafanaDashboard.namespace': 'grafana',
        'metrics.grafanaDashboard.label': 'dashboards',
        'metrics.grafanaDashboard.labelValue': 'sss',
        'metrics.grafanaDashboard.annotations.grafana_folder': 'Infrastructure',
      },
    }).one('ConfigMap', 'sss-grafana-dashboard');
    expect(custom.metadata.namespace).toBe('grafana');
    expect(custom.metadata.labels.dashboards).toBe('sss');
    expect(custom.metadata.labels.grafana_dashboard).toBeUndefined();
    expect(custom.metadata.annotations).toEqual({ grafana_folder: 'Infrastructure' });
  });

  it('passes the import schema: uid, title, tags, schemaVersion, panels with targets, a datasource variable', () => {
    const result = validate(dashboard);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('fails the schema without a uid, with a target without a query, or without the datasource variable', () => {
    const broken: Partial<GrafanaDashboard> = structuredClone(dashboard);
    delete broken.uid;
    expect(validate(broken).stderr).toContain("missing property 'uid'");
    const noExpr = structuredClone(dashboard);
    const target = noExpr.panels.find((p) => p.targets)?.targets?.[0] as { expr?: string };
    delete target.expr;
    expect(validate(noExpr).stderr).toMatch(/at '\/panels\/\d+\/targets\/0': missing property 'expr'/);
    const noVariable = structuredClone(dashboard);
    noVariable.templating.list = noVariable.templating.list.filter((v) => v.type !== 'datasource');
    expect(validate(noVariable).status).not.toBe(0);
  });

  it('has a fleet overview and a server detail driven by the server variable', () => {
    expect(dashboard.uid).toBe('simple-server-status');
    expect(dashboard.templating.list.map((v) => `${v.name}:${v.type}`)).toEqual([
      'datasource:datasource',
      'group:query',
      'server:query',
    ]);
    const rows = dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title);
    expect(rows).toEqual(['Fleet', 'Server $server']);
    const detail = dashboard.panels.slice(
      dashboard.panels.findIndex((p) => p.title === 'Server $server') + 1,
    );
    for (const panel of detail) {
      for (const target of panel.targets ?? [])
        expect(target.expr, panel.title).toContain('server_id="$server"');
    }
    expect(dashboard.panels.filter((p) => p.type === 'table').length).toBeGreaterThanOrEqual(4);
  });

  it('gives every panel its own id and place on the grid', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Map<string, string>();
    for (const p of dashboard.panels) {
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
        for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
          const taken = cells.get(`${x},${y}`);
          expect(taken, `${p.title} overlaps ${taken}`).toBeUndefined();
          cells.set(`${x},${y}`, p.title);
        }
      }
    }
  });

  it('queries only our own sss_* series', () => {
    for (const query of dashboardQueries(dashboard)) {
      const names = metricNames(query.expr);
      expect(names.length, query.where).toBeGreaterThan(0);
      for (const name of names) expect(name, query.where).toMatch(/^sss_/);
    }
    expect(metricNames('sum by (server_id) (rate(sss_reports_total{a="b"}[5m])) - time()')).toEqual([
      'sss_reports_total',
    ]);
    expect(grafanaDashboardFile).toMatch(/files\/grafana-dashboard\.json$/);
  });
});
