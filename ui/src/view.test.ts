import type { FrontendServerInfo } from '@sss/protocol';
import { seedExample } from '@sss/protocol/fixtures';
import { describe, expect, it } from 'vitest';
import { comparator, diskUsage, isLiveKey, matches, orderGroups, passesStatus } from './view';

function server(id: string, name: string, extra: Partial<FrontendServerInfo> = {}): FrontendServerInfo {
  return { ...seedExample(), serverId: id, serverName: name, online: true, lastSeen: 0, ...extra };
}

describe('search', () => {
  const web = server('web-1', 'Web Server 1', { group: 'production' });

  it('matches every word against name, id or group, ignoring case', () => {
    expect(matches(web, '')).toBe(true);
    expect(matches(web, 'web')).toBe(true);
    expect(matches(web, 'WEB-1')).toBe(true);
    expect(matches(web, 'prod server')).toBe(true);
    expect(matches(web, 'prod db')).toBe(false);
    expect(matches(server('x', 'y', { group: 'edge' }), 'production')).toBe(false);
  });

  it('filters by status', () => {
    const down = server('b', 'b', { online: false });
    expect(passesStatus(web, 'all')).toBe(true);
    expect(passesStatus(down, 'all')).toBe(true);
    expect(passesStatus(web, 'online')).toBe(true);
    expect(passesStatus(down, 'online')).toBe(false);
    expect(passesStatus(down, 'offline')).toBe(true);
  });
});

describe('sorting', () => {
  const a = server('a', 'node-2', { cpu: { percent: 80, cores: 4, modelName: '' } });
  const b = server('b', 'node-10', { cpu: { percent: 20, cores: 4, modelName: '' } });
  const c = server('c', 'Node-1', { cpu: { percent: 80, cores: 4, modelName: '' }, online: false });

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
