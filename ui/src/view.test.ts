import { describe, expect, it } from 'vitest';
import { nodeServer, server } from './fixtures';
import {
  comparator,
  diskUsage,
  groupOf,
  isLiveKey,
  matches,
  metaOf,
  orderGroups,
  passesStatus,
  type StatusFilter,
  sameMeta,
} from './view';

describe('search', () => {
  const web = metaOf(server('web-1', 'Web Server 1', { group: 'production' }));

  it('matches every word against name, id or group, ignoring case', () => {
    expect(matches(web, '')).toBe(true);
    expect(matches(web, 'web')).toBe(true);
    expect(matches(web, 'WEB-1')).toBe(true);
    expect(matches(web, 'prod server')).toBe(true);
    expect(matches(web, 'prod db')).toBe(false);
    expect(matches(metaOf(server('x', 'y', { group: 'edge' })), 'production')).toBe(false);
  });

  it("matches a Node's zone and roles too", () => {
    const node = metaOf(nodeServer('ip-10-0-1-17', { zone: 'eu-west-1b', roles: ['control-plane', 'etcd'] }));
    expect(matches(node, 'eu-west-1b')).toBe(true);
    expect(matches(node, 'ETCD')).toBe(true);
    expect(matches(node, 'control-plane 1b')).toBe(true);
    expect(matches(node, 'eu-west-1a')).toBe(false);
  });
});

describe('status filters', () => {
  const up = metaOf(server('a', 'a'));
  const down = metaOf(server('b', 'b', { online: false }));
  const ready = metaOf(nodeServer('ready'));
  const notReady = metaOf(nodeServer('not-ready', { ready: 'false' }));
  const missing = metaOf(nodeServer('missing', { ready: 'unknown' }, { online: false, agentMissing: true }));
  const pass = (filter: StatusFilter) =>
    [up, down, ready, notReady, missing].filter((m) => passesStatus(m, filter)).map((m) => m.serverId);

  it('keeps online, offline and missing agents apart: each server passes exactly one', () => {
    expect(pass('all')).toEqual(['a', 'b', 'ready', 'not-ready', 'missing']);
    expect(pass('online')).toEqual(['a', 'ready', 'not-ready']);
    expect(pass('offline')).toEqual(['b']);
    expect(pass('missing')).toEqual(['missing']);
  });

  it('picks the Nodes that are not Ready, whatever their agent', () => {
    expect(pass('notReady')).toEqual(['not-ready', 'missing']);
  });
});

describe('meta', () => {
  it('changes only with what the list is filtered, grouped and ordered by', () => {
    const info = nodeServer('n1', { zone: 'eu-west-1a', roles: ['worker'] }, { group: 'prod' });
    const meta = metaOf(info);
    expect(meta).toEqual({
      serverId: 'n1',
      serverName: 'n1',
      group: 'prod',
      state: 'online',
      notReady: false,
      kubernetes: true,
      zone: 'eu-west-1a',
      roles: ['worker'],
    });
    // A new report with new figures (and a new roles array with the same roles): same meta.
    const next = nodeServer(
      'n1',
      { zone: 'eu-west-1a', roles: ['worker'] },
      { group: 'prod', lastSeen: 2e9 },
    );
    next.cpu.percent = 99;
    expect(sameMeta(meta, metaOf(next))).toBe(true);
    for (const changed of [
      nodeServer('n1', { zone: 'eu-west-1b', roles: ['worker'] }, { group: 'prod' }),
      nodeServer('n1', { zone: 'eu-west-1a', roles: ['worker', 'gpu'] }, { group: 'prod' }),
      nodeServer('n1', { zone: 'eu-west-1a', roles: ['worker'], ready: 'false' }, { group: 'prod' }),
      nodeServer('n1', { zone: 'eu-west-1a', roles: ['worker'] }, { group: 'prod', agentMissing: true }),
    ]) {
      expect(sameMeta(meta, metaOf(changed))).toBe(false);
    }
  });

  it('gives a server outside Kubernetes no zone and no roles', () => {
    expect(metaOf(server('a', 'a'))).toMatchObject({
      kubernetes: false,
      zone: '',
      roles: [],
      notReady: false,
    });
  });
});

describe('sorting', () => {
  const a = server('a', 'node-2', { cpu: { percent: 80, cores: 4, modelName: '' } });
  const b = server('b', 'node-10', { cpu: { percent: 20, cores: 4, modelName: '' } });
  const c = server('c', 'Node-1', { cpu: { percent: 80, cores: 4, modelName: '' }, online: false });

  it('orders by load and swap; servers without the figure (older agents) last, no swap before them', () => {
    const seed = server('seed', 'seed');
    const cpu = (load1: number) => ({ ...seed.cpu, load1 });
    const mem = (swapTotal: number, swapUsed: number) => ({ ...seed.memory, swapTotal, swapUsed });
    const busy = server('busy', 'busy', { cpu: cpu(4.5), memory: mem(100, 50) });
    const idle = server('idle', 'idle', { cpu: cpu(0.1), memory: mem(0, 0) });
    const order = (key: 'load' | 'swap') =>
      [seed, idle, busy].sort(comparator({ key, dir: 'desc' })).map((s) => s.serverId);
    expect(order('load')).toEqual(['busy', 'idle', 'seed']);
    expect(order('swap')).toEqual(['busy', 'idle', 'seed']);
  });

  it('orders names naturally and without regard to case', () => {
    expect([a, b, c].sort(comparator({ key: 'name', dir: 'asc' })).map((s) => s.serverName)).toEqual([
      'Node-1',
      'node-2',
      'node-10',
    ]);
  });

  it('orders figures either way and breaks ties by name', () => {
    expect([b, a, c].sort(comparator({ key: 'cpu', dir: 'desc' })).map((s) => s.serverId)).toEqual([
      'c',
      'a',
      'b',
    ]);
    expect([a, b, c].sort(comparator({ key: 'cpu', dir: 'asc' })).map((s) => s.serverId)).toEqual([
      'b',
      'c',
      'a',
    ]);
    expect([c, a].sort(comparator({ key: 'status', dir: 'desc' })).map((s) => s.serverId)).toEqual([
      'a',
      'c',
    ]);
  });

  it('puts a NotReady Node and a missing agent after the healthy when sorting by status', () => {
    const missing = nodeServer('m', {}, { online: false, agentMissing: true, lastSeen: 0 });
    const notReady = nodeServer('n', { ready: 'false' });
    expect(
      [missing, c, notReady, a].sort(comparator({ key: 'status', dir: 'desc' })).map((s) => s.serverId),
    ).toEqual(['a', 'n', 'c', 'm']);
  });

  it('knows which keys change with every report', () => {
    expect(isLiveKey('cpu')).toBe(true);
    expect(isLiveKey('lastSeen')).toBe(true);
    expect(isLiveKey('name')).toBe(false);
    expect(isLiveKey('status')).toBe(false);
  });
});

describe('groups and disks', () => {
  it('orders groups by name with the ungrouped last', () => {
    expect(orderGroups(['prod', '', 'edge', 'prod'])).toEqual(['edge', 'prod', '']);
  });

  it('groups by group, zone or role; a server without one goes under ""', () => {
    const cp = metaOf(
      nodeServer('cp-1', { zone: 'eu-west-1a', roles: ['control-plane', 'etcd'] }, { group: 'k8s' }),
    );
    const worker = metaOf(nodeServer('w-1', { zone: undefined, roles: [] }, { group: undefined }));
    const plain = metaOf(server('vm-1', 'vm-1', { group: 'legacy' }));
    expect([cp, worker, plain].map((m) => groupOf(m, 'group'))).toEqual(['k8s', '', 'legacy']);
    expect([cp, worker, plain].map((m) => groupOf(m, 'zone'))).toEqual(['eu-west-1a', '', '']);
    expect([cp, worker, plain].map((m) => groupOf(m, 'role'))).toEqual(['control-plane, etcd', '', '']);
    expect(orderGroups([cp, worker, plain].map((m) => groupOf(m, 'zone')))).toEqual(['eu-west-1a', '']);
  });

  it('adds every filesystem into one usage figure', () => {
    const s = server('a', 'a');
    s.disk = [
      { path: '/', total: 100, used: 30, free: 70, usedPercent: 30, readSpeed: 0, writeSpeed: 0 },
      { path: '/d', total: 300, used: 270, free: 30, usedPercent: 90, readSpeed: 0, writeSpeed: 0 },
    ];
    expect(diskUsage(s)).toEqual({ percent: 75, used: 300, size: 400 });
    expect(diskUsage({ ...s, disk: [] })).toEqual({ percent: 0, used: 0, size: 0 });
  });
});
