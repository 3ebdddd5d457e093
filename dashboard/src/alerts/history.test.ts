import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedExample } from '@sss/protocol/fixtures';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Hub } from '../hub/hub';
import { HistoryParamError } from '../store/history-query';
import { SqliteHistoryStore } from '../store/sqlite-store';
import type { AlertRule } from './config';
import { AlertEvaluator, savedOf } from './evaluator';
import { listAlerts, parseAlertWindow } from './history';

const HOUR = 3_600_000;
const NOW = 1_700_000_000_000;
const rule: AlertRule = {
  name: 'Cpu',
  kind: 'cpu',
  severity: 'warning',
  forMs: 0,
  forText: '0s',
  threshold: 90,
  operator: '>',
};

describe('parseAlertWindow', () => {
  it('defaults to the last hour and 1,000 alerts; limit alone reaches back as far as kept', () => {
    expect(parseAlertWindow({}, NOW)).toEqual({ from: NOW - HOUR, to: NOW, limit: 1_000 });
    expect(parseAlertWindow({ limit: '50' }, NOW)).toEqual({ from: 0, to: NOW, limit: 50 });
    expect(parseAlertWindow({ from: '1600000000', to: '1600003600' }, NOW)).toEqual({
      from: 1_600_000_000_000,
      to: 1_600_003_600_000,
      limit: 1_000,
    });
  });

  it('refuses bad values, naming the parameter and what is valid', () => {
    const bad = (query: Record<string, string>) => () => parseAlertWindow(query, NOW);
    expect(bad({ limit: '0' })).toThrow(
      new HistoryParamError('limit must be a whole number from 1 to 10000, got "0"'),
    );
    expect(bad({ limit: '10001' })).toThrow(HistoryParamError);
    expect(bad({ from: 'yesterday' })).toThrow('from must be a time in Unix seconds, got "yesterday"');
    expect(bad({ from: '20', to: '10' })).toThrow('from must not be after to, got from=20 and to=10');
  });
});

describe('listAlerts', () => {
  let dir: string;
  let store: SqliteHistoryStore;
  let now: number;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sss-alert-list-'));
    now = NOW;
    store = new SqliteHistoryStore({
      dir,
      minuteRetention: 48 * 3600,
      quarterRetention: 30 * 86_400,
      now: () => now,
    });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('merges the resolved alerts of the last hour in memory with older ones from the store, newest first, once each', async () => {
    const hub = new Hub({ intervalSeconds: 5, historySize: 10, now: () => now });
    const evaluator = new AlertEvaluator({
      rules: [rule],
      hub,
      now: () => now,
      notify: (events) => {
        for (const e of events) store.recordAlert(savedOf(e));
      },
    });
    const cpu = (percent: number) => hub.report({ ...seedExample(), cpu: { ...seedExample().cpu, percent } });
    // Three firings of web-1, resolved 3 h, 2 h and 10 min ago; the last one is not flushed yet.
    for (const endsAgo of [3 * HOUR, 2 * HOUR, 10 * 60_000]) {
      now = NOW - endsAgo - 60_000;
      cpu(95);
      await evaluator.evaluate();
      now += 60_000;
      cpu(10);
      await evaluator.evaluate();
      if (endsAgo > HOUR) await store.flush();
    }
    now = NOW;
    cpu(99);
    await evaluator.evaluate();
    const ends = (query: Record<string, string>, filters = {}) =>
      listAlerts(evaluator, store, { ...filters, ...parseAlertWindow(query, now) }).map(
        (r) => `${r.state} ${r.endsAt ? (NOW - Date.parse(r.endsAt)) / 60_000 : ''}`,
      );
    expect(ends({})).toEqual(['firing ', 'resolved 10']);
    expect(ends({ limit: '10' })).toEqual(['firing ', 'resolved 10', 'resolved 120', 'resolved 180']);
    expect(ends({ limit: '2' }, { state: ['resolved'] })).toEqual(['resolved 10', 'resolved 120']);
    expect(ends({ from: String((NOW - 3 * HOUR) / 1000), to: String((NOW - 2.5 * HOUR) / 1000) })).toEqual([
      'resolved 180',
    ]);
    expect(ends({ limit: '10' }, { severity: ['critical'] })).toEqual([]);
    expect(ends({ limit: '10' }, { server: ['web-1'], state: ['firing'] })).toEqual(['firing ']);
    // After a restart the store answers the same record the evaluator did.
    await store.flush();
    const restarted = new AlertEvaluator({
      rules: [rule],
      hub: new Hub({ intervalSeconds: 5, historySize: 10 }),
      notify: () => {},
    });
    const [fromStore] = listAlerts(restarted, store, { state: ['resolved'], from: 0, to: NOW, limit: 1 });
    const [fromMemory] = listAlerts(evaluator, undefined, {
      state: ['resolved'],
      from: 0,
      to: NOW,
      limit: 1,
    });
    expect(fromStore).toEqual(fromMemory);
  });
});
