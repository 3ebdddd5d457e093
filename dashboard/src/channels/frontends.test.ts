import type { FrontendServerInfo } from '@sss/protocol';
import { seedExample } from '@sss/protocol/fixtures';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Hub } from '../hub/hub';
import { COALESCE_MS, FrontendChannel, type FrontendSink, HIGH_WATER_BYTES, textFrame } from './frontends';

/** Splits what one write carried into its frames; each must be one FIN text frame holding one JSON object. */
function decode(data: Buffer): FrontendServerInfo[] {
  const out: FrontendServerInfo[] = [];
  let at = 0;
  while (at < data.length) {
    expect(data[at]).toBe(0x81);
    const short = (data[at + 1] ?? 0) & 0x7f;
    expect((data[at + 1] ?? 0) & 0x80).toBe(0); // unmasked
    const head = short === 126 ? 4 : short === 127 ? 10 : 2;
    const length =
      short === 126
        ? data.readUInt16BE(at + 2)
        : short === 127
          ? Number(data.readBigUInt64BE(at + 2))
          : short;
    out.push(JSON.parse(data.subarray(at + head, at + head + length).toString()) as FrontendServerInfo);
    at += head + length;
  }
  return out;
}

/** A browser's socket as the channel sees it; records every write with the fake clock's time. */
class FakeSink implements FrontendSink {
  open = true;
  bufferedAmount = 0;
  /** False: the peer stopped reading and the kernel's buffer is full, so every write stays queued in the socket. */
  kernelTakes = true;
  readonly writes: { at: number; messages: FrontendServerInfo[]; bytes: number }[] = [];
  write(frames: readonly Buffer[]): void {
    const data = Buffer.concat(frames);
    if (!this.kernelTakes) this.bufferedAmount += data.length;
    this.writes.push({ at: Date.now(), messages: decode(data), bytes: data.length });
  }
  close(): void {
    this.open = false;
  }
  terminate(): void {
    this.open = false;
  }
  get messages(): FrontendServerInfo[] {
    return this.writes.flatMap((w) => w.messages);
  }
}

function report(serverId: string, percent: number) {
  const base = seedExample();
  return { ...base, serverId, cpu: { ...base.cpu, percent } };
}

describe('FrontendChannel', () => {
  let hub: Hub;
  let channel: FrontendChannel;

  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    hub = new Hub({ intervalSeconds: 5, historySize: 10, now: () => Date.now() });
    channel = new FrontendChannel(hub, pino({ level: 'silent' }));
  });
  afterEach(() => {
    channel.closeAll(1001, 'done');
    vi.useRealTimers();
  });

  it('frames a message as one unmasked text frame, whatever its length', () => {
    for (const length of [0, 125, 126, 65_535, 65_536, 70_000]) {
      const payload = Buffer.from(
        JSON.stringify({ s: 'x'.repeat(Math.max(0, length - 8)) }).slice(0, length),
      );
      const frame = textFrame(payload);
      const head = length < 126 ? 2 : length < 65_536 ? 4 : 10;
      expect(frame.length).toBe(head + payload.length);
      expect(frame.subarray(head).equals(payload)).toBe(true);
    }
  });

  it('makes no browser wait longer than the coalescing window, and coalesces what became due in it', () => {
    expect(COALESCE_MS).toBeGreaterThan(0);
    expect(COALESCE_MS).toBeLessThanOrEqual(10);
    const sink = new FakeSink();
    channel.attach(sink);
    const published: { at: number; serverId: string; percent: number }[] = [];
    // Reports at uneven moments over 400 ms: bursts, lone ones, gaps longer than the window.
    const gaps = [0, 1, 0, 3, 7, 0, 12, 2, 2, 9, 25, 0, 0, 0, 4, 11, 1, 6];
    let n = 0;
    for (let round = 0; round < 4; round++) {
      for (const gap of gaps) {
        vi.advanceTimersByTime(gap);
        n++;
        const serverId = `node-${n % 7}`;
        published.push({ at: Date.now(), serverId, percent: n });
        hub.report(report(serverId, n));
      }
    }
    vi.advanceTimersByTime(COALESCE_MS);

    const received = sink.writes.flatMap((w) => w.messages.map((m) => ({ at: w.at, m })));
    // Every message, once, in the order published.
    expect(received.map((r) => [r.m.serverId, r.m.cpu.percent])).toEqual(
      published.map((p) => [p.serverId, p.percent]),
    );
    received.forEach((r, i) => {
      const wait = r.at - (published[i]?.at ?? 0);
      expect(wait).toBeGreaterThanOrEqual(0);
      expect(wait).toBeLessThanOrEqual(COALESCE_MS);
    });
    // Messages published within one window shared a write.
    expect(sink.writes.length).toBeLessThan(published.length / 2);
  });

  it('writes nothing before the window ends, then the whole window at once, to every browser', () => {
    const sinks = [new FakeSink(), new FakeSink(), new FakeSink()];
    for (const sink of sinks) channel.attach(sink);
    hub.report(report('a', 1));
    vi.advanceTimersByTime(COALESCE_MS - 1);
    hub.report(report('b', 2));
    for (const sink of sinks) expect(sink.writes).toHaveLength(0);
    vi.advanceTimersByTime(1);
    for (const sink of sinks) {
      expect(sink.writes).toHaveLength(1);
      expect(sink.messages.map((m) => m.serverId)).toEqual(['a', 'b']);
    }
    // 'b' waited 1 ms; on its own, the next message waits the full window, never longer.
    hub.report(report('c', 3));
    vi.advanceTimersByTime(COALESCE_MS - 1);
    expect(sinks[0]?.writes).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sinks[0]?.writes).toHaveLength(2);
  });

  it('sends the snapshot first, in one write, and no message of the window the snapshot already holds', () => {
    hub.report(report('a', 1));
    hub.report(report('b', 1));
    vi.advanceTimersByTime(COALESCE_MS);
    hub.report(report('a', 2)); // in the open window when the browser connects
    const sink = new FakeSink();
    channel.attach(sink);
    expect(sink.writes).toHaveLength(1);
    expect(sink.messages.map((m) => [m.serverId, m.cpu.percent])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    hub.report(report('b', 2));
    vi.advanceTimersByTime(COALESCE_MS);
    expect(sink.messages.map((m) => [m.serverId, m.cpu.percent])).toEqual([
      ['a', 2],
      ['b', 1],
      ['b', 2],
    ]);
  });

  it('keeps the latest message per server for a backed-up browser, within the memory bound, and flushes on drain', () => {
    const slow = new FakeSink();
    const fast = new FakeSink();
    const slowConnection = channel.attach(slow);
    channel.attach(fast);
    slow.kernelTakes = false;
    slow.bufferedAmount = HIGH_WATER_BYTES;
    for (let seq = 1; seq <= 5; seq++) {
      for (const id of ['a', 'b', 'c']) hub.report(report(id, seq));
      vi.advanceTimersByTime(COALESCE_MS);
    }
    expect(fast.messages).toHaveLength(15);
    expect(slow.writes).toHaveLength(0);
    const backlog = channel.backlog();
    expect(backlog.messages).toBe(3);
    const frameBytes = textFrame(hub.get('a')?.message ?? Buffer.alloc(0)).length;
    expect(backlog.bytes).toBeLessThanOrEqual(HIGH_WATER_BYTES + 3 * frameBytes);

    // Still backed up: a newer report replaces its server's pending one and moves it to the back.
    hub.report(report('a', 6));
    vi.advanceTimersByTime(COALESCE_MS);
    expect(channel.backlog().messages).toBe(3);

    slow.bufferedAmount = 0;
    slow.kernelTakes = true;
    slowConnection.drained();
    expect(slow.writes).toHaveLength(1);
    expect(slow.messages.map((m) => [m.serverId, m.cpu.percent])).toEqual([
      ['b', 5],
      ['c', 5],
      ['a', 6],
    ]);
    expect(channel.backlog()).toEqual({ messages: 0, bytes: 0 });
  });

  it('stops at the high-water mark within a window and holds the rest per server', () => {
    const sink = new FakeSink();
    channel.attach(sink);
    sink.kernelTakes = false;
    sink.bufferedAmount = HIGH_WATER_BYTES - 1;
    hub.report(report('a', 1));
    hub.report(report('b', 1));
    hub.report(report('a', 2));
    vi.advanceTimersByTime(COALESCE_MS);
    // The first frame still fits (the socket was under the mark), the rest wait, latest per server.
    expect(sink.messages.map((m) => [m.serverId, m.cpu.percent])).toEqual([['a', 1]]);
    expect(channel.backlog().messages).toBe(2);
  });

  it('writes a window larger than the high-water mark in several writes while the kernel takes them', () => {
    const sink = new FakeSink();
    channel.attach(sink);
    const base = seedExample();
    const disk = Array.from({ length: 200 }, (_, i) => ({
      ...(base.disk[0] as (typeof base.disk)[0]),
      path: `/v${i}`,
    }));
    for (let i = 0; i < 40; i++) hub.report({ ...base, serverId: `big-${i}`, disk });
    vi.advanceTimersByTime(COALESCE_MS);
    expect(sink.messages).toHaveLength(40);
    expect(sink.writes.length).toBeGreaterThan(1);
    expect(channel.backlog().messages).toBe(0);
  });
});
