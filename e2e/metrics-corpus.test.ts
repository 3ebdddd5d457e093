// Issue 13, acceptance 4: whatever agents send, /metrics stays an exposition Prometheus takes whole. The corpus
// (malformed frames, repeated filesystem paths, interface and sensor names, awkward label text, numbers at their
// bounds, random mutants) goes to a real dashboard; promtool then checks the scraped text.
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { connectReporter, opened } from './support/clients';
import { parseExposition, sampleValue } from './support/metrics';
import { startDashboard, stopAll } from './support/processes';
import { type CorpusEntry, reportCorpus } from './support/report-corpus';
import { findTool } from './support/tools';

const promtool = findTool('promtool');

/**
 * Sends the entry and resolves with whether the dashboard took it: a pong to a ping sent after the frame means the
 * frame was read and not refused (frames are handled in order), a close means it was refused.
 */
async function deliver(wsUrl: string, secret: string, entry: CorpusEntry): Promise<WebSocket | undefined> {
  const ws = connectReporter(wsUrl, entry.serverId, secret);
  await opened(ws);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry.name}: no pong and no close in 5 s`)), 5_000);
    ws.once('pong', () => {
      clearTimeout(timer);
      resolve(ws);
    });
    ws.once('close', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    ws.send(entry.frame, { binary: entry.binary ?? false });
    ws.ping();
  });
}

describe.skipIf(!promtool)('/metrics under the report corpus', () => {
  afterAll(stopAll);

  it('stays promtool-clean, one series per label set, with every refusal counted', async () => {
    const dashboard = await startDashboard({ SSS_AUTH_FAILURE_LIMIT: '100000' });
    const corpus = reportCorpus(400);
    const open: WebSocket[] = [];
    let refused = 0;
    try {
      for (const entry of corpus) {
        const ws = await deliver(dashboard.wsUrl, dashboard.secret, entry);
        if (ws) open.push(ws);
        else refused += 1;
      }
      const text = await (
        await fetch(`${dashboard.url}/metrics`, { signal: AbortSignal.timeout(10_000) })
      ).text();
      const check = spawnSync(promtool ?? 'promtool', ['check', 'metrics'], {
        input: text,
        encoding: 'utf8',
      });
      const problems = `${check.stdout}${check.stderr}`.split('\n').filter((l) => l.trim() !== '');
      // prom-client's own nodejs_* gauges end in _total, which promtool's linter dislikes; nothing else may appear.
      expect(problems.filter((l) => !l.startsWith('nodejs_'))).toEqual([]);

      // promtool 2.42 does not see a repeated series; Prometheus drops such a scrape's duplicates.
      const samples = parseExposition(text);
      const seen = new Set<string>();
      const repeated = samples
        .map((s) => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`)
        .filter((key) => seen.has(key) || !seen.add(key));
      expect(repeated).toEqual([]);
      expect(sampleValue(samples, 'sss_reports_total')).toBe(open.length);
      const rejected = samples
        .filter((s) => s.name === 'sss_reports_rejected_total')
        .reduce((sum, s) => sum + s.value, 0);
      expect(rejected).toBe(refused);
      // Both kinds are in the corpus, and the repeated paths, interfaces and sensors were taken, not refused.
      expect(refused).toBeGreaterThan(6);
      expect(open.length).toBeGreaterThan(20);
      for (const id of ['fuzz-dup-path', 'fuzz-dup-interface', 'fuzz-dup-sensor']) {
        expect(sampleValue(samples, 'sss_server_up', { server_id: id })).toBe(1);
      }
      const paths = samples.filter(
        (s) => s.name === 'sss_server_filesystem_size_bytes' && s.labels.server_id === 'fuzz-dup-path',
      );
      expect(paths.map((s) => [s.labels.path, s.value])).toEqual([['/', 107374182400]]);
    } finally {
      for (const ws of open) ws.terminate();
    }
  });
});
