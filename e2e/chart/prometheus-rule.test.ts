// Issue 11: the chart's PrometheusRule. Its groups, rendered by helm from files/prometheus-rules.yaml.tpl, pass
// `promtool check rules`, and `promtool test rules` runs the unit tests in rules-tests/ against them: every alert
// fires where it should and stays quiet where it should.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findTool } from '../support/tools';
import { helm, render, renderError } from './chart';
import {
  type AlertRule,
  renderRuleGroups,
  rulesTestFiles,
  rulesTestsDir,
  testedOutcomes,
  writeRuleFile,
} from './prometheus-rules';

const promtool = findTool('promtool');

const alerts = [
  'SSSServerDown',
  'SSSNodeAgentMissing',
  'SSSFilesystemFillingUp',
  'SSSFilesystemAlmostFull',
  'SSSMemoryHigh',
  'SSSCPUSaturated',
  'SSSDashboardScrapeLost',
];

describe.skipIf(!helm)('chart: PrometheusRule', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sss-rules-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const rulesOf = (groups: ReturnType<typeof renderRuleGroups>): AlertRule[] =>
    groups.flatMap((g) => g.rules);

  it('is not rendered unless enabled', () => {
    expect(render().has('PrometheusRule')).toBe(false);
  });

  it('renders every alert with a for duration, a severity and runbook-style annotations', () => {
    const rule = render({ set: { 'metrics.prometheusRule.enabled': true } }).one('PrometheusRule', 'sss');
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule.metadata.namespace).toBe('monitoring');
    expect(rule.metadata.labels['app.kubernetes.io/component']).toBe('monitoring');
    const rules = rulesOf(rule.spec.groups);
    expect(rules.map((r) => r.alert)).toEqual(alerts);
    for (const r of rules) {
      expect(r.for, r.alert).toMatch(/^\d+[smh]$/);
      expect(r.labels.severity, r.alert).toMatch(/^(critical|warning)$/);
      expect(Object.keys(r.annotations), r.alert).toEqual(['summary', 'description']);
      expect(r.annotations.description, r.alert).toMatch(
        /^What it means: .*\nWhat to check: .*kubectl .*\n/s,
      );
    }
  });

  it('takes its namespace, labels for the ruleSelector, alert labels, interval and thresholds from values', () => {
    const manifests = render({
      set: {
        'metrics.prometheusRule.enabled': true,
        'metrics.prometheusRule.namespace': 'prometheus',
        'metrics.prometheusRule.labels.release': 'kube-prometheus-stack',
        'metrics.prometheusRule.additionalAlertLabels.team': 'platform',
        'metrics.prometheusRule.interval': '30s',
        'metrics.prometheusRule.scrapeSelector': 'job="sss"',
        'metrics.prometheusRule.rules.memoryHigh.for': '30m',
        'metrics.prometheusRule.rules.cpuSaturated.enabled': false,
        'metrics.prometheusRule.rules.serverDown.severity': 'page',
      },
      extraArgs: ['--set-json', 'metrics.prometheusRule.rules.memoryHigh.threshold=0.8'],
    });
    const rule = manifests.one('PrometheusRule', 'sss');
    expect(rule.metadata.namespace).toBe('prometheus');
    expect(rule.metadata.labels.release).toBe('kube-prometheus-stack');
    expect(rule.spec.groups[0].interval).toBe('30s');
    const byName = new Map(rulesOf(rule.spec.groups).map((r) => [r.alert, r]));
    expect(byName.has('SSSCPUSaturated')).toBe(false);
    expect(byName.get('SSSMemoryHigh')).toMatchObject({
      expr: 'max without (instance, pod, service, endpoint) (sss_server_memory_used_bytes / sss_server_memory_total_bytes) > 0.8',
      for: '30m',
    });
    expect(byName.get('SSSMemoryHigh')?.annotations.description).toContain('more than 80 % of the memory');
    expect(byName.get('SSSServerDown')?.labels).toEqual({ severity: 'page', team: 'platform' });
    expect(byName.get('SSSDashboardScrapeLost')?.expr).toBe('up{job="sss"} == 0 or absent(up{job="sss"})');
  });

  it.each([
    [
      'a threshold over 1',
      'threshold: 1.5',
      "at '/metrics/prometheusRule/rules/memoryHigh/threshold': maximum",
    ],
    ['a for that is no duration', 'for: 5 minutes', "at '/metrics/prometheusRule/rules/memoryHigh/for'"],
    ['an unknown key', 'thresold: 0.8', "additional properties 'thresold' not allowed"],
  ])('refuses %s in a rule', (name, line, message) => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.yaml`);
    writeFileSync(file, `metrics:\n  prometheusRule:\n    rules:\n      memoryHigh:\n        ${line}\n`);
    expect(renderError({ values: [file] })).toContain(message);
  });

  it('refuses an alert label that Prometheus would refuse', () => {
    const file = join(dir, 'label.yaml');
    writeFileSync(
      file,
      'metrics:\n  prometheusRule:\n    additionalAlertLabels:\n      team-name: platform\n',
    );
    // helm 3.22 names the wrong map in this message (another stringMap), so only the complaint is checked.
    expect(renderError({ values: [file] })).toContain("invalid propertyName 'team-name'");
  });

  describe.skipIf(!promtool)('promtool', () => {
    const promtoolRun = (args: string[]) =>
      spawnSync(promtool ?? 'promtool', args, { cwd: dir, encoding: 'utf8', timeout: 60_000 });

    it.each([
      ['(defaults)', []],
      ['ci/prometheus-grafana-values.yaml', ['ci/prometheus-grafana-values.yaml']],
    ])('check rules finds nothing wrong: %s', (_name, values) => {
      const groups = renderRuleGroups({ values });
      writeRuleFile(join(dir, 'check.yaml'), groups);
      const result = promtoolRun(['check', 'rules', 'check.yaml']);
      expect(result.stdout + result.stderr).toContain(`SUCCESS: ${rulesOf(groups).length} rules found`);
      expect(result.stdout + result.stderr).not.toMatch(/WARNING|FAILED/);
      expect(result.status).toBe(0);
    });

    it('has unit tests for every alert, firing and not firing', () => {
      const outcomes = testedOutcomes();
      expect([...outcomes.keys()].sort()).toEqual([...alerts].sort());
      for (const [alert, seen] of outcomes) expect(seen, alert).toEqual({ firing: true, quiet: true });
    });

    it('test rules passes the unit tests in e2e/chart/rules-tests against the rendered rules', () => {
      // The unit tests name rules.yaml next to them: the rules of release sss in namespace monitoring, as rendered.
      writeRuleFile(join(dir, 'rules.yaml'), renderRuleGroups());
      for (const file of rulesTestFiles) copyFileSync(join(rulesTestsDir, file), join(dir, file));
      const result = promtoolRun(['test', 'rules', ...rulesTestFiles]);
      const output = result.stdout + result.stderr;
      expect(output.match(/SUCCESS/g)?.length, output).toBe(rulesTestFiles.length);
      expect(result.status, output).toBe(0);
    });
  });
});
