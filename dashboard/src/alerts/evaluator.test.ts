import type { FrontendServerInfo, KubernetesNodeInfo, ServerInfo } from '@sss/protocol';
import { fullExample, seedExample } from '@sss/protocol/fixtures';
import { beforeEach, describe, expect, it } from 'vitest';
import { Hub } from '../hub/hub';
import { type AlertRule, DEFAULT_RULES } from './config';
import { AlertEvaluator, type AlertEvent, RESTORED_GRACE_MS, savedOf } from './evaluator';

function rule(fields: Partial<AlertRule> & Pick<AlertRule, 'kind'>): AlertRule {
  return { name: 'Test', severity: 'warning', forMs: 60_000, forText: '1m', operator: '>', ...fields };
}

function node(name: string, ready: 'true' | 'false' = 'true'): KubernetesNodeInfo {
  return {
    nodeName: name,
    ready,
    problems: [],
    unschedulable: false,
    roles: [],
    kubeletVersion: 'v1.34.0',
    containerRuntime: 'containerd://2.1.4',
    osImage: 'Debian',
    kernelVersion: '6.1.0',
    architecture: 'amd64',
    taints: [],
    createdAt: 1_700_000_000,
    capacity: { cpu: 4, memory: 8 * 2 ** 30, pods: 110 },
  };
}

describe('AlertEvaluator', () => {
  let now: number;
  let hub: Hub;
  let events: { state: string; name: string; server: string; labels: Record<string, string> }[];
  let pushed: FrontendServerInfo[];

  function evaluator(rules: readonly AlertRule[]): AlertEvaluator {
    return new AlertEvaluator({
      rules,
      hub,
      now: () => now,
      notify: (list: readonly AlertEvent[]) => {
        for (const e of list) {
          events.push({ state: e.state, name: e.rule.name, server: e.serverId, labels: { ...e.labels } });
        }
      },
    });
  }

  function report(edit: (info: ServerInfo) => ServerInfo = (i) => i): void {
    hub.report(edit(seedExample()));
  }

  beforeEach(() => {
    now = 1_700_000_000_000;
    hub = new Hub({ intervalSeconds: 5, historySize: 10, now: () => now });
    events = [];
    pushed = [];
    hub.subscribe((_id, message) => pushed.push(JSON.parse(message.toString()) as FrontendServerInfo));
  });

  it('fires offline only after the condition held for `for`, and resolves when the server returns', async () => {
    const alerts = evaluator([rule({ name: 'ServerOffline', kind: 'offline', severity: 'critical' })]);
    report();
    await alerts.evaluate();
    hub.disconnected('web-1');
    now += 1_000;
    await alerts.evaluate();
    expect(alerts.list().map((a) => a.state)).toEqual(['pending']);
    now += 59_999;
    await alerts.evaluate();
    expect(events).toEqual([]);
    now += 1;
    await alerts.evaluate();
    await alerts.evaluate();
    expect(events).toEqual([
      {
        state: 'firing',
        name: 'ServerOffline',
        server: 'web-1',
        labels: {
          alertname: 'ServerOffline',
          severity: 'critical',
          server_id: 'web-1',
          server_name: 'Web Server 1',
          group: 'production',
        },
      },
    ]);
    // The server's message carries the firing alert.
    expect(pushed.at(-1)?.alerts).toEqual([
      {
        name: 'ServerOffline',
        severity: 'critical',
        summary: 'Web Server 1 is offline',
        about: { kind: 'offline' },
        since: now / 1000,
        fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
      },
    ]);
    expect(Hub.view(hub.get('web-1') as never).alerts).toHaveLength(1);

    now += 5_000;
    report();
    expect(pushed.at(-1)?.alerts).toHaveLength(1); // still firing until the next evaluation
    await alerts.evaluate();
    expect(events.map((e) => e.state)).toEqual(['firing', 'resolved']);
    expect(pushed.at(-1)?.alerts).toBeUndefined();
    const [resolved] = alerts.list();
    expect(resolved).toMatchObject({ state: 'resolved', endsAt: now });
  });

  it('drops a pending alert whose condition stopped, without a notification', async () => {
    const alerts = evaluator([rule({ kind: 'offline' })]);
    report();
    hub.disconnected('web-1');
    await alerts.evaluate();
    now += 30_000;
    report();
    await alerts.evaluate();
    expect(alerts.list()).toEqual([]);
    expect(events).toEqual([]);
  });

  it('compares thresholds with the operator, per filesystem for disk, and not while offline', async () => {
    const alerts = evaluator([
      rule({ name: 'Cpu', kind: 'cpu', threshold: 90, forMs: 0 }),
      rule({ name: 'Idle', kind: 'cpu', threshold: 5, operator: '<=', forMs: 0 }),
      rule({ name: 'Disk', kind: 'disk', threshold: 80, forMs: 0 }),
      rule({ name: 'Var', kind: 'disk', threshold: 80, forMs: 0, path: '/var' }),
      rule({ name: 'Hot', kind: 'temperature', threshold: 50, forMs: 0 }),
      rule({ name: 'Load', kind: 'load', threshold: 3, operator: '>=', forMs: 0 }),
    ]);
    hub.report({
      ...fullExample(),
      cpu: { ...fullExample().cpu, percent: 95 },
      disk: [
        { ...(seedExample().disk[0] as ServerInfo['disk'][0]), usedPercent: 85 },
        { ...(seedExample().disk[0] as ServerInfo['disk'][0]), path: '/var', usedPercent: 70 },
      ],
    });
    await alerts.evaluate();
    expect(
      alerts
        .firing()
        .map((a) => `${a.rule.name}${a.labels.path ? `:${a.labels.path}` : ''}=${a.value}`)
        .sort(),
    ).toEqual(['Cpu=95', 'Disk:/=85', 'Hot=54', 'Load=3.12']);
    expect(alerts.firing().find((a) => a.rule.name === 'Cpu')?.summary).toBe(
      'CPU usage on Web Server 1 > 90 %',
    );

    hub.disconnected('web-1');
    await alerts.evaluate();
    expect(alerts.firing()).toEqual([]);
    expect(events.filter((e) => e.state === 'resolved')).toHaveLength(4);
  });

  it("adds a rule's labels and writes its own summary and description from its templates", async () => {
    const alerts = evaluator([
      rule({
        name: 'Disk',
        kind: 'disk',
        threshold: 80,
        forMs: 0,
        labels: { team: 'storage' },
        summary: '{{ $labels.server_name }}: {{ $labels.path }} 已用 {{ $value }}% ({{ $labels.team }})',
        description: '{{ $labels.alertname }} {{ $labels.severity }} {{ $labels.group }}',
      }),
      rule({ name: 'Plain', kind: 'cpu', threshold: 10, forMs: 0, labels: { team: 'web' } }),
    ]);
    hub.report({
      ...seedExample(),
      cpu: { ...seedExample().cpu, percent: 50 },
      disk: [{ ...(seedExample().disk[0] as ServerInfo['disk'][0]), usedPercent: 85.04 }],
    });
    await alerts.evaluate();
    const [disk, plain] = alerts.firing();
    expect(disk?.labels).toEqual({
      alertname: 'Disk',
      severity: 'warning',
      server_id: 'web-1',
      server_name: 'Web Server 1',
      group: 'production',
      path: '/',
      team: 'storage',
    });
    expect(disk?.summary).toBe('Web Server 1: / 已用 85% (storage)');
    expect(disk?.description).toBe('Disk warning production');
    // A summary of the rule's own is shown as written: no parts for a browser to word.
    expect(disk?.about).toBeUndefined();
    expect(plain?.about).toEqual({ kind: 'cpu', operator: '>', threshold: 10 });
    // Without templates, the kind's own texts; the extra label is in the fingerprint like any other.
    expect(plain?.summary).toBe('CPU usage on Web Server 1 > 10 %');
    expect(plain?.labels.team).toBe('web');
    const without = evaluator([rule({ name: 'Plain', kind: 'cpu', threshold: 10, forMs: 0 })]);
    await without.evaluate();
    expect(without.firing()[0]?.fingerprint).not.toBe(plain?.fingerprint);
  });

  it('limits a rule to a group or to listed servers', async () => {
    const alerts = evaluator([
      rule({ name: 'Prod', kind: 'cpu', threshold: 10, forMs: 0, group: 'production' }),
      rule({ name: 'Listed', kind: 'cpu', threshold: 10, forMs: 0, servers: ['db-1'] }),
    ]);
    report();
    report((i) => ({ ...i, serverId: 'db-1', group: 'staging' }));
    await alerts.evaluate();
    expect(alerts.firing().map((a) => `${a.rule.name}@${a.serverId}`)).toEqual(['Prod@web-1', 'Listed@db-1']);
  });

  it('watches Nodes: agent missing and not Ready (offline stays for servers outside Kubernetes)', async () => {
    const alerts = evaluator(DEFAULT_RULES.map((r) => ({ ...r, forMs: 0 })));
    hub.upsertNode(node('node-a', 'false'));
    await alerts.evaluate();
    expect(alerts.firing().map((a) => a.rule.name)).toEqual(['AgentMissing', 'NodeNotReady']);
    hub.upsertNode(node('node-a'));
    report((i) => ({ ...i, serverId: 'node-a' }));
    await alerts.evaluate();
    expect(alerts.firing()).toEqual([]);
    expect(pushed.at(-1)).toMatchObject({ serverId: 'node-a' });
    expect(pushed.at(-1)?.alerts).toBeUndefined();
  });

  describe('restored at start', () => {
    /** Fires the rule on web-1, then returns the firing alerts as saved and a fresh hub that restored web-1 offline. */
    async function firedThenRestarted(rules: readonly AlertRule[], edit?: (info: ServerInfo) => ServerInfo) {
      const before = evaluator(rules);
      report(edit);
      if (rules[0]?.kind === 'offline') hub.disconnected('web-1');
      await before.evaluate();
      now += rules[0]?.forMs ?? 0;
      await before.evaluate();
      const saved = before.firing().map(savedOf);
      expect(saved).toHaveLength(1);
      const view = Hub.view(hub.get('web-1') as never);
      now += 30_000;
      hub = new Hub({ intervalSeconds: 5, historySize: 10, now: () => now });
      hub.subscribe((_id, message) => pushed.push(JSON.parse(message.toString()) as FrontendServerInfo));
      hub.restore(view, now - 30_000);
      events = [];
      return saved;
    }

    it('goes on firing with its startsAt and notifies nothing new while the condition holds; resolves once', async () => {
      const rules = [rule({ name: 'ServerOffline', kind: 'offline', forMs: 10_000 })];
      const saved = await firedThenRestarted(rules);
      const alerts = evaluator(rules);
      alerts.restore(saved);
      expect(pushed.at(-1)?.alerts).toMatchObject([
        { name: 'ServerOffline', since: (saved[0]?.startsAt ?? 0) / 1000 },
      ]);
      for (let i = 0; i < 3; i++) {
        await alerts.evaluate();
        now += 5_000;
      }
      expect(events).toEqual([]);
      expect(alerts.firing()).toMatchObject([
        { state: 'firing', startsAt: saved[0]?.startsAt, fingerprint: saved[0]?.fingerprint, rule: rules[0] },
      ]);
      report();
      await alerts.evaluate();
      await alerts.evaluate();
      expect(events.map((e) => `${e.state} ${e.server}`)).toEqual(['resolved web-1']);
      expect(alerts.list()).toMatchObject([{ state: 'resolved', startsAt: saved[0]?.startsAt, endsAt: now }]);
    });

    it('keeps a threshold alert while its server has not reported, then follows the reported values', async () => {
      const rules = [rule({ name: 'Cpu', kind: 'cpu', threshold: 90, forMs: 60_000 })];
      const hot = (i: ServerInfo) => ({ ...i, cpu: { ...i.cpu, percent: 95 } });
      const before = evaluator(rules);
      report(hot);
      await before.evaluate();
      now += 60_000;
      await before.evaluate();
      const saved = before.firing().map(savedOf);
      const view = Hub.view(hub.get('web-1') as never);
      hub = new Hub({ intervalSeconds: 5, historySize: 10, now: () => now });
      hub.restore(view, now);
      events = [];
      const alerts = evaluator(rules);
      alerts.restore(saved);
      await alerts.evaluate(); // offline since the start: its figures are stale, the alert stays
      expect(alerts.firing()).toHaveLength(1);
      now += 10_000;
      report(hot);
      await alerts.evaluate(); // still hot: the rule holds it again, not pending for its `for` anew
      expect(alerts.firing()).toMatchObject([{ startsAt: saved[0]?.startsAt, value: 95 }]);
      expect(events).toEqual([]);
      report();
      await alerts.evaluate();
      expect(events.map((e) => e.state)).toEqual(['resolved']);
    });

    it('resolves an alert whose server does not report within the grace, or that no rule matches any more', async () => {
      const saved = await firedThenRestarted([rule({ name: 'Cpu', kind: 'cpu', threshold: 10, forMs: 0 })]);
      const alerts = evaluator([rule({ name: 'Cpu', kind: 'cpu', threshold: 10, forMs: 0 })]);
      alerts.restore(saved);
      await alerts.evaluate();
      now += RESTORED_GRACE_MS - 1;
      await alerts.evaluate();
      expect(events).toEqual([]);
      now += 1;
      await alerts.evaluate();
      expect(events.map((e) => `${e.state} ${e.name}`)).toEqual(['resolved Cpu']);

      events = [];
      const other = evaluator([rule({ name: 'Memory', kind: 'memory', threshold: 10, forMs: 0 })]);
      other.restore(saved);
      report();
      await other.evaluate();
      expect(events.map((e) => `${e.state} ${e.name}`)).toEqual(['firing Memory', 'resolved Cpu']);
    });
  });

  it('resolves the alerts of a server the hub forgot', async () => {
    const alerts = evaluator([rule({ kind: 'offline', forMs: 0 })]);
    report();
    hub.disconnected('web-1');
    await alerts.evaluate();
    expect(alerts.firing()).toHaveLength(1);
    hub.remove('web-1');
    await alerts.evaluate();
    expect(events.map((e) => e.state)).toEqual(['firing', 'resolved']);
  });
});
