import type { FrontendServerInfo, KubernetesNodeInfo } from '@sss/protocol';
import { seedExample } from '@sss/protocol/fixtures';
import { beforeEach, describe, expect, it } from 'vitest';
import { Hub, validReportOfView } from './hub';

describe('Hub', () => {
  let now: number;
  let hub: Hub;
  let pushed: FrontendServerInfo[];

  beforeEach(() => {
    now = 1_700_000_000_000;
    hub = new Hub({ intervalSeconds: 5, historySize: 10, now: () => now });
    pushed = [];
    hub.subscribe((_id, message) => pushed.push(JSON.parse(message.toString()) as FrontendServerInfo));
  });

  it('pushes a report with online and lastSeen, and keeps it', () => {
    hub.report(seedExample());
    expect(pushed).toEqual([{ ...seedExample(), online: true, lastSeen: now / 1000 }]);
    expect(hub.get('web-1')?.history.length).toBe(1);
    expect(hub.size).toBe(1);
  });

  it('leaves no state behind for a report it cannot apply', () => {
    expect(() => hub.report({ serverId: 'x' } as never)).toThrow();
    expect(hub.get('x')).toBeUndefined();
    expect(hub.size).toBe(0);
    expect(pushed).toEqual([]);
  });

  it('checks a view from outside the process as an agent report, the dashboard fields dropped', () => {
    const view: FrontendServerInfo = { ...seedExample(), online: true, lastSeen: 1, alerts: [] };
    expect(validReportOfView(view)).toEqual({ ok: true, value: seedExample() });
    expect(validReportOfView({ serverId: 'x', online: true, lastSeen: 1 })).toMatchObject({ ok: false });
    expect(validReportOfView({ ...seedExample(), cpu: { percent: 'high' } })).toMatchObject({
      ok: false,
      field: expect.stringMatching(/^cpu/),
    });
    expect(validReportOfView(null)).toMatchObject({ ok: false });
    expect(validReportOfView([seedExample()])).toMatchObject({ ok: false });
  });

  it('marks a server offline once when its connection closes', () => {
    hub.report(seedExample());
    hub.disconnected('web-1');
    hub.disconnected('web-1');
    hub.disconnected('unknown');
    expect(pushed.map((m) => m.online)).toEqual([true, false]);
    expect(pushed[1]).toMatchObject({ serverId: 'web-1', cpu: seedExample().cpu, online: false });
  });

  it('leaves a spared server as it is in the sweep, late reports or not', () => {
    hub.report(seedExample());
    hub.report({ ...seedExample(), serverId: 'web-2' });
    hub.spared = (id) => id === 'web-1';
    now += 15_001;
    hub.sweep();
    expect([...hub.list()].map((s) => [s.id, s.online])).toEqual([
      ['web-1', true],
      ['web-2', false],
    ]);
    hub.spared = undefined;
    hub.sweep();
    expect(hub.get('web-1')?.online).toBe(false);
  });

  it('marks a server offline after 3 intervals without a report, not before', () => {
    hub.report(seedExample());
    now += 15_000;
    hub.sweep();
    expect(pushed).toHaveLength(1);
    now += 1;
    hub.sweep();
    hub.sweep();
    expect(pushed.map((m) => m.online)).toEqual([true, false]);
    hub.report(seedExample());
    expect(pushed.map((m) => m.online)).toEqual([true, false, true]);
  });

  it('applies the configured overrides to what it stores and pushes', () => {
    const servers = new Map([['web-1', { id: 'web-1', name: 'Front', group: 'edge', countryCode: 'DE' }]]);
    const configured = new Hub({ intervalSeconds: 5, historySize: 10, servers });
    const state = configured.report(seedExample());
    expect(state.info).toMatchObject({
      serverName: 'Front',
      group: 'edge',
      countryCode: 'DE',
      location: 'Beijing, China',
    });
  });

  it('removes a server and pushes it once more with removed: true', () => {
    hub.report(seedExample());
    expect(hub.remove('web-1')).toBe(true);
    expect(hub.remove('web-1')).toBe(false);
    expect(pushed[1]).toMatchObject({ serverId: 'web-1', online: false, removed: true });
    expect(hub.size).toBe(0);
  });

  it('caches one serialised message per server, shared by every listener', () => {
    const seen: Buffer[] = [];
    hub.subscribe((_id, message) => seen.push(message));
    const state = hub.report(seedExample());
    expect(seen[0]).toBe(state.message);
  });

  it("builds the message on the agent's own JSON when given, unless overrides changed the report", () => {
    const text = ` ${JSON.stringify({ ...seedExample(), cpu: { ...seedExample().cpu, percent: 12.5 } }, null, 1)}\n`;
    const report = JSON.parse(text) as ReturnType<typeof seedExample>;
    hub.report(report, text);
    expect(pushed[0]).toEqual({ ...report, online: true, lastSeen: now / 1000 });
    expect(hub.get('web-1')?.message.toString()).toContain('\n "cpu"'); // the agent's bytes, spacing and all

    const servers = new Map([['web-1', { id: 'web-1', name: 'Front' }]]);
    const configured = new Hub({ intervalSeconds: 5, historySize: 10, servers });
    const state = configured.report(report, text);
    expect(JSON.parse(state.message.toString())).toMatchObject({ serverName: 'Front', online: true });
  });

  describe('Kubernetes Nodes', () => {
    const node = (overrides: Partial<KubernetesNodeInfo> = {}): KubernetesNodeInfo => ({
      nodeName: 'web-1',
      ready: 'true',
      problems: [],
      unschedulable: false,
      roles: ['worker'],
      kubeletVersion: 'v1.34.4',
      containerRuntime: 'containerd://2.1.4',
      osImage: 'Ubuntu 24.04.3 LTS',
      kernelVersion: '6.8.0',
      architecture: 'amd64',
      internalIP: '10.0.0.11',
      taints: [],
      createdAt: 1_700_000_000,
      capacity: { cpu: 4, memory: 16 * 2 ** 30, pods: 110 },
      ...overrides,
    });

    it('shows a Node with no agent at once as missing, in the seed shape, with its capacity', () => {
      hub.upsertNode(node());
      expect(pushed).toHaveLength(1);
      const message = pushed[0] as FrontendServerInfo;
      expect(message).toMatchObject({
        serverId: 'web-1',
        serverName: 'web-1',
        online: false,
        lastSeen: 0,
        agentMissing: true,
        kubernetes: node(),
        cpu: { percent: 0, cores: 4 },
        memory: { total: 16 * 2 ** 30, usedPercent: 0 },
        ip: '10.0.0.11',
      });
      // What a client written to the seed alone does with every message.
      expect(message.cpu.percent.toFixed(1)).toBe('0.0');
      expect(message.memory.usedPercent.toFixed(1)).toBe('0.0');
      expect(hub.get('web-1')?.history.length).toBe(0);
    });

    it('joins the agent and the Node: facts ride on every report, missing only while the agent is away', () => {
      hub.upsertNode(node());
      hub.report(seedExample());
      expect(pushed[1]).toMatchObject({ serverName: 'Web Server 1', online: true, kubernetes: node() });
      expect(pushed[1]?.agentMissing).toBeUndefined();
      hub.disconnected('web-1');
      expect(pushed[2]).toMatchObject({ online: false, agentMissing: true, cpu: seedExample().cpu });
    });

    it('pushes a changed fact at once and nothing for a Node that did not change', () => {
      hub.upsertNode(node());
      hub.upsertNode(node());
      expect(pushed).toHaveLength(1);
      hub.upsertNode(node({ unschedulable: true, ready: 'false', problems: ['DiskPressure'] }));
      expect(pushed).toHaveLength(2);
      expect(pushed[1]?.kubernetes).toMatchObject({ unschedulable: true, ready: 'false' });
    });

    it('removes a deleted Node whose agent is gone, at once', () => {
      hub.upsertNode(node());
      hub.removeNode('web-1');
      expect(pushed[1]).toMatchObject({ serverId: 'web-1', removed: true });
      expect(hub.size).toBe(0);
    });

    it('keeps a deleted Node while its agent reports, without facts, and forgets it when the agent goes', () => {
      hub.upsertNode(node());
      hub.report(seedExample());
      hub.removeNode('web-1');
      expect(pushed[2]).toMatchObject({ online: true });
      expect(pushed[2]?.kubernetes).toBeUndefined();
      hub.disconnected('web-1');
      expect(pushed[3]).toMatchObject({ serverId: 'web-1', removed: true });
      expect(hub.size).toBe(0);
    });

    it('leaves servers that are no Node alone when a Node is deleted', () => {
      hub.report(seedExample());
      hub.removeNode('web-1');
      expect(pushed).toHaveLength(1);
      expect(hub.size).toBe(1);
    });

    it('serialises every state byte for byte as JSON.stringify of its view', () => {
      const messages: { message: string; expected: string }[] = [];
      hub.subscribe((id, message) => {
        const state = hub.get(id);
        if (state) messages.push({ message: message.toString(), expected: JSON.stringify(Hub.view(state)) });
      });
      hub.upsertNode(node()); // missing agent: stand-in report, agentMissing, kubernetes
      hub.report({ ...seedExample(), group: 'g', countryCode: 'DE' });
      now += 1234.5;
      hub.report(seedExample());
      hub.disconnected('web-1'); // stopped agent: agentMissing again
      hub.report({ ...seedExample(), serverId: 'plain' }); // no Node
      expect(messages).toHaveLength(5);
      for (const { message, expected } of messages) expect(message).toBe(expected);
      const state = hub.get('web-1');
      if (!state) throw new Error('web-1 is known');
      expect(Hub.serialise(state, true)).toBe(JSON.stringify(Hub.view(state, true)));
    });
  });

  describe('observer and restore (the history store)', () => {
    it('tells the observer what it applied: reports (first or not), offline, removal, adoption', () => {
      const seen: string[] = [];
      hub.observer = {
        reported: (state, t, point, first) => seen.push(`reported ${state.id} ${t} ${point.cpu} ${first}`),
        wentOffline: (state) => seen.push(`offline ${state.id}`),
        removed: (id) => seen.push(`removed ${id}`),
        adopted: (state) => seen.push(`adopted ${state.id} ${state.online}`),
      };
      hub.report(seedExample());
      hub.report(seedExample());
      hub.disconnected('web-1');
      hub.remove('web-1');
      // Another replica's server: told once; one known here already is not adopted.
      hub.adopt({ ...seedExample(), serverId: 'web-2' }, now, true);
      hub.adopt({ ...seedExample(), serverId: 'web-2' }, now, true);
      hub.restore({ ...seedExample(), serverId: 'web-3' }, now); // the store's own: not told
      expect(seen).toEqual([
        `reported web-1 ${now / 1000} 45.2 true`,
        `reported web-1 ${now / 1000} 45.2 false`,
        'offline web-1',
        'removed web-1',
        'adopted web-2 true',
      ]);
    });

    it('lists a restored server at once, offline since its last report, until it reports again', () => {
      const view: FrontendServerInfo = {
        ...seedExample(),
        online: true,
        lastSeen: 1_600_000_000,
        alerts: [],
      };
      hub.restore(view, 1_600_000_000_000);
      const state = hub.get('web-1');
      expect(state).toMatchObject({ online: false, lastSeen: 1_600_000_000_000, reports: 0 });
      expect(state?.info).toEqual(seedExample());
      expect(pushed.at(-1)).toMatchObject({ serverId: 'web-1', online: false, lastSeen: 1_600_000_000 });
      expect(state?.history.length).toBe(0);
      hub.report(seedExample());
      expect(hub.get('web-1')).toMatchObject({ online: true, lastSeen: now });
    });

    it('restores no server SSS_CONFIG no longer lists, and none it already has', () => {
      const servers = new Map([['other', { id: 'other' }]]);
      const configured = new Hub({ intervalSeconds: 5, historySize: 10, servers });
      configured.restore({ ...seedExample(), online: false, lastSeen: 1 }, 1000);
      expect(configured.size).toBe(0);
      hub.report(seedExample());
      hub.restore({ ...seedExample(), serverName: 'old', online: false, lastSeen: 1 }, 1000);
      expect(hub.get('web-1')).toMatchObject({ online: true, info: { serverName: 'Web Server 1' } });
    });
  });
});
