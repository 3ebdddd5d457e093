import type { AlertRecord, FrontendServerInfo } from '@sss/protocol';
import { describe, expect, it } from 'vitest';
import { alertsKey, firingRows, resolvedRows, selectRows, worstSeverity } from './alerts';

const server = (id: string, alerts: FrontendServerInfo['alerts']) =>
  ({ serverId: id, serverName: `Server ${id}`, alerts }) as FrontendServerInfo;

const record: AlertRecord = {
  fingerprint: 'f3',
  state: 'resolved',
  labels: { alertname: 'ServerOffline', severity: 'critical', server_id: 'c', server_name: 'C' },
  annotations: { summary: 'C is offline', description: '' },
  activeAt: '2026-01-01T00:00:00.000Z',
  startsAt: '2026-01-01T00:01:00.000Z',
  endsAt: '2026-01-01T00:05:00.000Z',
};

describe('alert rows', () => {
  const firing = firingRows([
    server('a', [{ name: 'HighCpuUsage', severity: 'warning', summary: 's', since: 100, fingerprint: 'f1' }]),
    server('b', [
      { name: 'ServerOffline', severity: 'critical', summary: 's', since: 50, fingerprint: 'f2' },
    ]),
    server('d', undefined),
  ]);
  const rows = [...firing, ...resolvedRows([record, { ...record, fingerprint: 'f4', state: 'firing' }])];

  it('puts firing first, most severe first, then the newest', () => {
    expect(selectRows(rows, 'all', 'all').map((r) => r.fingerprint)).toEqual(['f2', 'f1', 'f3']);
    expect(selectRows(rows, 'critical', 'all').map((r) => r.fingerprint)).toEqual(['f2', 'f3']);
    expect(selectRows(rows, 'all', 'resolved')).toEqual([
      {
        fingerprint: 'f3',
        name: 'ServerOffline',
        severity: 'critical',
        serverId: 'c',
        serverName: 'C',
        summary: 'C is offline',
        state: 'resolved',
        since: Date.UTC(2026, 0, 1, 0, 1) / 1000,
        until: Date.UTC(2026, 0, 1, 0, 5) / 1000,
      },
    ]);
    expect(selectRows(rows, 'info', 'firing')).toEqual([]);
  });

  it('names the worst firing severity and keys a server by its alerts', () => {
    expect(worstSeverity(rows)).toBe('critical');
    expect(worstSeverity(firing.filter((r) => r.severity === 'warning'))).toBe('warning');
    expect(worstSeverity([])).toBeUndefined();
    expect(alertsKey(server('a', undefined))).toBe('');
    expect(
      alertsKey(server('a', [{ name: 'x', severity: 'info', summary: '', since: 0, fingerprint: 'f' }])),
    ).toBe('f');
  });
});
