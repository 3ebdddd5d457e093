import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReceiverConfig } from './config';
import type { AlertEvent } from './evaluator';
import { type Notice, Notifier, payload, ReceiverQueue } from './notify';

const log = pino({ level: 'silent' });

function notice(fingerprint: string, status: Notice['status'] = 'firing'): Notice {
  return {
    status,
    labels: { alertname: 'ServerOffline', severity: 'critical', server_id: 'web-1' },
    annotations: { summary: 'Web 1 is offline', description: 'web-1 has not reported for 1m or more.' },
    startsAt: Date.UTC(2026, 0, 1),
    ...(status === 'resolved' ? { endsAt: Date.UTC(2026, 0, 1, 0, 5) } : {}),
    fingerprint,
  };
}

function receiver(url: string, fields: Partial<ReceiverConfig> = {}): ReceiverConfig {
  return {
    name: 'test',
    type: 'webhook',
    url: { value: url },
    timeoutMs: 2_000,
    sendResolved: true,
    resendIntervalMs: 60_000,
    queueSize: 100,
    ...fields,
  };
}

/** A real receiver on loopback that answers as `answer` says and records each body. */
async function listen(
  answer: (req: IncomingMessage, res: ServerResponse, body: unknown) => void,
): Promise<{ server: Server; url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(text) as unknown;
      bodies.push(body);
      answer(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies };
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('ReceiverQueue', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it('retries a failed request with backoff until the receiver accepts it', async () => {
    let answers = 0;
    const { server, url, bodies } = await listen((_req, res) => {
      res.statusCode = ++answers === 1 ? 503 : 200;
      res.end();
    });
    const queue = new ReceiverQueue(receiver(url), log);
    cleanups.push(
      () => queue.close(),
      () => server.close(),
    );
    queue.enqueue(notice('a'));
    await until(() => queue.stats.sent === 1);
    expect(queue.stats).toEqual({ sent: 1, failed: 1, dropped: 0 });
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toEqual({
      version: '1',
      receiver: 'test',
      status: 'firing',
      alerts: [
        {
          status: 'firing',
          labels: notice('a').labels,
          annotations: notice('a').annotations,
          startsAt: '2026-01-01T00:00:00.000Z',
          fingerprint: 'a',
        },
      ],
    });
  });

  it('reads urlFile and bearerTokenFile at every send, so a rotated Secret takes effect', async () => {
    const seen: { path: string; authorization: string | undefined }[] = [];
    const { server, url } = await listen((req, res) => {
      seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
      res.end();
    });
    const dir = mkdtempSync(join(tmpdir(), 'sss-notify-'));
    const urlFile = join(dir, 'url');
    const tokenFile = join(dir, 'token');
    writeFileSync(urlFile, `${url}-a\n`);
    writeFileSync(tokenFile, 'first\n');
    const queue = new ReceiverQueue(
      receiver(url, { url: { file: urlFile }, bearerToken: { file: tokenFile } }),
      log,
    );
    cleanups.push(
      () => queue.close(),
      () => server.close(),
      () => rmSync(dir, { recursive: true, force: true }),
    );
    queue.enqueue(notice('a'));
    await until(() => queue.stats.sent === 1);
    writeFileSync(urlFile, `${url}-b`);
    writeFileSync(tokenFile, 'second');
    queue.enqueue(notice('b'));
    await until(() => queue.stats.sent === 2);
    expect(seen).toEqual([
      { path: '/hook-a', authorization: 'Bearer first' },
      { path: '/hook-b', authorization: 'Bearer second' },
    ]);
  });

  it('abandons a request that outlasts the timeout and counts it failed', async () => {
    const held: ServerResponse[] = [];
    const { server, url } = await listen((_req, res) => void held.push(res));
    const queue = new ReceiverQueue(receiver(url, { timeoutMs: 200 }), log);
    cleanups.push(
      () => queue.close(),
      () => {
        for (const res of held) res.destroy();
        server.close();
      },
    );
    queue.enqueue(notice('a'));
    await until(() => queue.stats.failed === 1);
    expect(queue.stats.sent).toBe(0);
    expect(queue.length).toBe(1);
  });

  it('abandons an answer whose body never ends', async () => {
    const { server, url } = await listen((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{');
    });
    const queue = new ReceiverQueue(receiver(url, { timeoutMs: 300 }), log);
    cleanups.push(
      () => queue.close(),
      () => {
        server.closeAllConnections();
        server.close();
      },
    );
    queue.enqueue(notice('a'));
    await until(() => queue.stats.failed === 1);
    expect(queue.stats.sent).toBe(0);
  });

  it('keeps one waiting notice per alert and state, and drops the oldest from a full queue', () => {
    const queue = new ReceiverQueue(receiver('http://127.0.0.1:9/', { queueSize: 3 }), log);
    cleanups.push(() => queue.close());
    queue.enqueue(notice('a'));
    queue.enqueue(notice('a'));
    queue.enqueue(notice('a', 'resolved'));
    expect(queue.length).toBe(2);
    queue.enqueue(notice('b'));
    queue.enqueue(notice('c'));
    expect(queue.length).toBe(3);
    expect(queue.stats.dropped).toBe(1);
  });
});

describe('Notifier', () => {
  it('tracks firing alerts while another replica sends, and re-sends them to Alertmanager once it sends itself', async () => {
    const { server, url, bodies } = await listen((_req, res) => res.end());
    let sends = false;
    const notifier = new Notifier({
      receivers: [receiver(url, { type: 'alertmanager', resendIntervalMs: 100 })],
      log,
      sends: () => sends,
    });
    try {
      const event = {
        state: 'firing',
        rule: { severity: 'critical' },
        serverId: 'web-1',
        labels: notice('a').labels,
        summary: 's',
        description: 'd',
        fingerprint: 'a',
        activeAt: 0,
        startsAt: 1,
      } as unknown as AlertEvent;
      notifier.notify([event]);
      await new Promise((r) => setTimeout(r, 300));
      expect(bodies).toEqual([]);
      sends = true;
      await until(() => bodies.length > 0);
      expect(bodies[0]).toEqual([expect.objectContaining({ labels: notice('a').labels })]);
    } finally {
      notifier.close();
      server.close();
    }
  });
});

describe('Notifier with the lease changing hands', () => {
  function firing(fingerprint: string): AlertEvent {
    return {
      state: 'firing',
      rule: { severity: 'critical' },
      serverId: 'web-1',
      labels: { ...notice(fingerprint).labels, server_id: fingerprint },
      summary: 's',
      description: 'd',
      fingerprint,
      activeAt: 0,
      startsAt: 1,
    } as unknown as AlertEvent;
  }

  it('keeps what it queued while not sending until the holder is known alive after it (dropped) or it sends itself (sent)', async () => {
    const { server, url, bodies } = await listen((_req, res) => res.end());
    let now = 1_000_000;
    let sends = false;
    let elsewhereAt = now - 1_000;
    const notifier = new Notifier({
      receivers: [receiver(url)],
      log,
      sends: () => sends,
      sentElsewhereAt: () => elsewhereAt,
      now: () => now,
    });
    const [queue] = notifier.receivers;
    try {
      // The holder was last seen before the event: maybe it died before sending it. Kept.
      notifier.notify([firing('lost-by-holder')]);
      await new Promise((r) => setTimeout(r, 700));
      expect(queue?.length).toBe(1);
      // This replica takes the lease: it sends what it kept.
      sends = true;
      await until(() => bodies.length === 1);
      expect(bodies[0]).toMatchObject({ alerts: [{ fingerprint: 'lost-by-holder' }] });

      // Another replica holds the lease and is seen alive well after the event: it sent it, this one drops it.
      sends = false;
      now += 10_000;
      notifier.notify([firing('sent-by-holder')]);
      elsewhereAt = now + 2_500;
      await until(() => queue?.length === 0);
      sends = true;
      await new Promise((r) => setTimeout(r, 700));
      expect(bodies).toHaveLength(1);
    } finally {
      notifier.close();
      server.close();
    }
  });
});

describe('Notifier.restore', () => {
  it('sends nothing for alerts restored at start, and re-sends them to Alertmanager with their startsAt', async () => {
    const am = await listen((_req, res) => res.end());
    const hook = await listen((_req, res) => res.end());
    const notifier = new Notifier({
      receivers: [
        receiver(am.url, { name: 'am', type: 'alertmanager', resendIntervalMs: 100 }),
        receiver(hook.url, { name: 'hook' }),
      ],
      log,
    });
    try {
      const startsAt = Date.UTC(2026, 0, 1);
      notifier.restore([
        {
          state: 'firing',
          rule: { name: 'ServerOffline', severity: 'critical' },
          serverId: 'web-1',
          labels: notice('a').labels,
          summary: 's',
          description: 'd',
          fingerprint: 'a',
          activeAt: startsAt - 60_000,
          startsAt,
        } as AlertEvent,
      ]);
      await until(() => am.bodies.length > 0);
      expect(am.bodies[0]).toEqual([
        expect.objectContaining({ labels: notice('a').labels, startsAt: new Date(startsAt).toISOString() }),
      ]);
      await new Promise((r) => setTimeout(r, 200));
      expect(hook.bodies).toEqual([]);
    } finally {
      notifier.close();
      am.server.close();
      hook.server.close();
    }
  });
});

describe('payload', () => {
  it('writes Alertmanager alerts with endsAt ahead for firing ones, and Slack text with blocks', () => {
    const now = Date.UTC(2026, 0, 1, 0, 1);
    const am = payload(
      receiver('http://am', { type: 'alertmanager' }),
      [notice('a'), notice('b', 'resolved')],
      now,
    );
    expect(am).toEqual([
      {
        labels: notice('a').labels,
        annotations: notice('a').annotations,
        startsAt: '2026-01-01T00:00:00.000Z',
        endsAt: '2026-01-01T00:05:00.000Z',
      },
      {
        labels: notice('a').labels,
        annotations: notice('a').annotations,
        startsAt: '2026-01-01T00:00:00.000Z',
        endsAt: '2026-01-01T00:05:00.000Z',
      },
    ]);
    const slack = payload(receiver('http://slack', { type: 'slack' }), [notice('a')], now) as {
      text: string;
      blocks: unknown[];
    };
    expect(slack.text).toBe('[FIRING] ServerOffline (critical): Web 1 is offline');
    expect(slack.blocks).toHaveLength(1);
  });
});
