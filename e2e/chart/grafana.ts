// The chart's Grafana dashboard (files/grafana-dashboard.json) and the PromQL in it, with Grafana's variables
// replaced as Grafana replaces them, so a test can run every query against a real Prometheus.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartDir } from './chart';

export const grafanaDashboardFile = join(chartDir, 'files/grafana-dashboard.json');

export interface Target {
  refId: string;
  expr: string;
  datasource: { type: string; uid: string };
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type: string; uid: string };
  targets?: Target[];
}

export interface Variable {
  name: string;
  type: string;
  query: string | { query: string };
}

export interface GrafanaDashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Variable[] };
}

export const grafanaDashboard = (): GrafanaDashboard =>
  JSON.parse(readFileSync(grafanaDashboardFile, 'utf8')) as GrafanaDashboard;

export interface Query {
  /** Where the query is: a panel's title and refId, or a variable's name. */
  where: string;
  expr: string;
  /** For a label_values() variable: the label whose values it lists. */
  label?: string;
}

/** Every PromQL expression of the dashboard: each panel target, and the series selector of each query variable. */
export function dashboardQueries(dashboard: GrafanaDashboard): Query[] {
  const queries: Query[] = [];
  for (const variable of dashboard.templating.list) {
    if (variable.type !== 'query') continue;
    const text = typeof variable.query === 'string' ? variable.query : variable.query.query;
    const match = /^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(text);
    if (!match) throw new Error(`variable ${variable.name}: not a label_values() query: ${text}`);
    queries.push({ where: `variable ${variable.name}`, expr: match[1] ?? '', label: match[2] ?? '' });
  }
  for (const panel of dashboard.panels) {
    for (const target of panel.targets ?? []) {
      queries.push({ where: `panel "${panel.title}" ${target.refId}`, expr: target.expr });
    }
  }
  return queries;
}

/** The expression with `$name`, `${name}` and Grafana's built-in `$__rate_interval` replaced by the values given. */
export function substitute(expr: string, values: Record<string, string>): string {
  return expr.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for ${whole} in ${expr}`);
    return value;
  });
}
