import type { FrontendServerInfo } from '@sss/protocol';
import { seedExample } from '@sss/protocol/fixtures';
import { beforeEach, describe, expect, it } from 'vitest';
import { Hub } from './hub';

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

  it('marks a server offline once when its connection closes', () => {
    hub.report(seedExample());
    hub.disconnected('web-1');
    hub.disconnected('web-1');
    hub.disconnected('unknown');
    expect(pushed.map((m) => m.online)).toEqual([true, false]);
    expect(pushed[1]).toMatchObject({ serverId: 'web-1', cpu: seedExample().cpu, online: false });
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
});
