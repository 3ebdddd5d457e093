// The chart's PrometheusRule as Prometheus reads it: `helm template` of templates/prometheusrule.yaml (which renders
// files/prometheus-rules.yaml.tpl), its spec written out as a rule file. promtool and the real Prometheus load that
// file, so what they check is what the chart ships.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { repoRoot } from '../support/paths';
import { type RenderOptions, render } from './chart';

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: AlertRule[];
}

/** The promtool unit tests of the rules (outside the chart, so helm does not package them). */
export const rulesTestsDir = join(repoRoot, 'e2e/chart/rules-tests');
export const rulesTestFiles = readdirSync(rulesTestsDir)
  .filter((name) => name.endsWith('.yaml'))
  .sort();

/** The rule groups of the PrometheusRule rendered with these options (the rule is switched on). */
export function renderRuleGroups(options: RenderOptions = {}): RuleGroup[] {
  const manifests = render({ ...options, set: { 'metrics.prometheusRule.enabled': true, ...options.set } });
  return manifests.one('PrometheusRule').spec.groups as RuleGroup[];
}

/** Writes groups as a Prometheus rule file. */
export function writeRuleFile(path: string, groups: RuleGroup[]): void {
  writeFileSync(path, stringify({ groups }));
}

/** Per alert name, whether some promtool test expects it to fire and some expects it quiet. */
export function testedOutcomes(): Map<string, { firing: boolean; quiet: boolean }> {
  const outcomes = new Map<string, { firing: boolean; quiet: boolean }>();
  for (const file of rulesTestFiles) {
    const suite = parse(readFileSync(join(rulesTestsDir, file), 'utf8')) as {
      tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
    };
    for (const test of suite.tests) {
      for (const check of test.alert_rule_test ?? []) {
        const seen = outcomes.get(check.alertname) ?? { firing: false, quiet: false };
        if ((check.exp_alerts ?? []).length > 0) seen.firing = true;
        else seen.quiet = true;
        outcomes.set(check.alertname, seen);
      }
    }
  }
  return outcomes;
}
