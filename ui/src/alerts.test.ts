import type { AlertAbout, AlertRecord, FrontendServerInfo } from '@sss/protocol';
import { describe, expect, it } from 'vitest';
import { alertsKey, firingRows, resolvedRows, selectRows, summaryIn, worstSeverity } from './alerts';

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

describe('summaryIn', () => {
  const cases: [AlertAbout, string, string][] = [
    [{ kind: 'offline' }, 'web-1 is offline', 'web-1 已离线'],
    [{ kind: 'agentMissing' }, 'No agent reports for Node web-1', '节点 web-1 没有代理上报'],
    [{ kind: 'nodeNotReady' }, 'Node web-1 is not Ready', '节点 web-1 未就绪'],
    [{ kind: 'cpu', operator: '>', threshold: 90 }, 'CPU usage on web-1 > 90 %', 'web-1 CPU 使用率 > 90 %'],
    [
      { kind: 'memory', operator: '>=', threshold: 95 },
      'Memory usage on web-1 >= 95 %',
      'web-1 内存使用率 >= 95 %',
    ],
    [
      { kind: 'disk', operator: '>', threshold: 80, path: '/var' },
      'Disk usage of /var on web-1 > 80 %',
      'web-1 /var 磁盘使用率 > 80 %',
    ],
    [
      { kind: 'load', operator: '>', threshold: 4 },
      'Load average (1 min) on web-1 > 4',
      'web-1 平均负载（1 分钟） > 4',
    ],
    [
      { kind: 'temperature', operator: '>=', threshold: 85 },
      'Temperature on web-1 >= 85 °C',
      'web-1 温度 >= 85 °C',
    ],
  ];

  it.each(cases)('words %j as the dashboard does in English, and in Chinese', (about, english, chinese) => {
    const alert = { summary: 'from the dashboard', about };
    expect(summaryIn('en', alert, { id: 'web-1', name: 'web-1' })).toBe(english);
    expect(summaryIn('zh', alert, { id: 'web-1', name: 'web-1' })).toBe(chinese);
  });

  it('names a Node by its id and any other server by its display name, as the dashboard does', () => {
    const names = { id: 'node-7', name: 'Web Server 7' };
    expect(summaryIn('en', { summary: '', about: { kind: 'agentMissing' } }, names)).toBe(
      'No agent reports for Node node-7',
    );
    expect(summaryIn('en', { summary: '', about: { kind: 'nodeNotReady' } }, names)).toBe(
      'Node node-7 is not Ready',
    );
    expect(summaryIn('en', { summary: '', about: { kind: 'offline' } }, names)).toBe(
      'Web Server 7 is offline',
    );
  });

  it("shows a rule's own summary as written", () => {
    const names = { id: 'web-1', name: 'web-1' };
    expect(summaryIn('zh', { summary: 'web-1 的磁盘快满了' }, names)).toBe('web-1 的磁盘快满了');
    expect(summaryIn('en', { summary: 'custom' }, names)).toBe('custom');
  });
});
