// Issue 2, acceptance 7: a browser that stops reading costs the dashboard at most one pending message per server,
// and every other browser still gets every report.
import { connect, type Socket } from 'node:net';
import type { FrontendServerInfo, ServerInfo } from '@sss/protocol';
import { seedExample } from '@sss/protocol/fixtures';
import { afterAll, describe, expect, it } from 'vitest';
import { connectReporter, FrontendClient, opened, sendReport } from './support/clients';
import { sampleValue, scrape } from './support/metrics';
import { startDashboard, stopAll } from './support/processes';

const SERVERS = 40;
const REPORTS_PER_SERVER = 60;
/** The dashboard's per-socket high-water mark (dashboard/src/channels/frontends.ts). */
const HIGH_WATER_BYTES = 256 * 1024;

/** A report of about 10 KiB: many filesystems, so the slow socket fills quickly. */
function bigReport(serverId: string, seq: number): ServerInfo {
  const base = seedExample();
  const disk = Array.from({ length: 60 }, (_, i) => ({
    ...(base.disk[0] as ServerInfo['disk'][0]),
    path: `/mnt/volume-${i}`,
  }));
  return { ...base, serverId, serverName: serverId, disk, cpu: { ...base.cpu, percent: seq } };
}

/**
 * A /ws-frontend client on a raw TCP socket, so the test controls reading: after the handshake it stops reading
 * and the kernel buffers fill; `resume` reads and decodes the (unmasked) text frames that were held back.
 */
class PausedReader {
  private buffer = Buffer.alloc(0);
  readonly messages: FrontendServerInfo[] = [];
  private constructor(private readonly socket: Socket) {}

  static open(port: number): Promise<PausedReader> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('error', reject);
      socket.write(
        'GET /ws-frontend HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) return;
        socket.off('data', onData);
        socket.pause();
        if (!head.subarray(0, 12).toString().includes('101')) reject(new Error(head.toString()));
        const reader = new PausedReader(socket);
        reader.buffer = head.subarray(end + 4);
        resolve(reader);
      };
      socket.on('data', onData);
    });
  }

  resume(): void {
    this.socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.decode();
    });
    this.decode();
    this.socket.resume();
  }

  private decode(): void {
    for (;;) {
      if (this.buffer.length < 2) return;
      const short = (this.buffer[1] ?? 0) & 0x7f;
      const offset = short === 126 ? 4 : short === 127 ? 10 : 2;
      if (this.buffer.length < offset) return;
      const length =
        short === 126
          ? this.buffer.readUInt16BE(2)
          : short === 127
            ? Number(this.buffer.readBigUInt64BE(2))
            : short;
      if (this.buffer.length < offset + length) return;
      const opcode = (this.buffer[0] ?? 0) & 0x0f;
      if (opcode === 1) {
        this.messages.push(
          JSON.parse(this.buffer.subarray(offset, offset + length).toString()) as FrontendServerInfo,
        );
      }
      this.buffer = this.buffer.subarray(offset + length);
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

describe('a frontend that stops reading', () => {
  afterAll(stopAll);

  it('holds at most one pending message per server for it, and delays no other frontend', async () => {
    const dashboard = await startDashboard({ SSS_LOG_LEVEL: 'info' });
    const ids = Array.from({ length: SERVERS }, (_, i) => `node-${i}`);
    const reporters = ids.map((id) => connectReporter(dashboard.wsUrl, id, dashboard.secret));
    await Promise.all(reporters.map((r) => opened(r)));
    const slow = await PausedReader.open(dashboard.port);
    const fast = [new FrontendClient(dashboard.wsUrl), new FrontendClient(dashboard.wsUrl)];
    await Promise.all(fast.map((f) => f.open()));

    const messageBytes = JSON.stringify({ ...bigReport('node-00', 100), online: true, lastSeen: 0 }).length;
    let worst = { messages: 0, bytes: 0 };
    for (let seq = 1; seq <= REPORTS_PER_SERVER; seq++) {
      reporters.forEach((r, i) => {
        sendReport(r, bigReport(ids[i] ?? '', seq));
      });
      // Let every fast frontend take this round before the next one, as 5-second reports would.
      await Promise.all(fast.map((f) => f.waitFor(() => f.messages.length >= seq * SERVERS, 10_000)));
      if (seq % 10 === 0) {
        const samples = await scrape(dashboard.url);
        const bytes = sampleValue(samples, 'sss_frontend_backlog_bytes');
        if (bytes > worst.bytes)
          worst = { messages: sampleValue(samples, 'sss_frontend_backlog_messages'), bytes };
      }
    }
    const pushed = SERVERS * REPORTS_PER_SERVER * messageBytes;

    // Every fast frontend got every report, in order per server.
    for (const f of fast) {
      expect(f.messages).toHaveLength(SERVERS * REPORTS_PER_SERVER);
      for (const id of ids) {
        const seqs = f.messages.filter((m) => m.info.serverId === id).map((m) => m.info.cpu.percent);
        expect(seqs).toEqual(Array.from({ length: REPORTS_PER_SERVER }, (_, i) => i + 1));
      }
    }
    // The slow one is backed up, yet bounded: one pending message per server plus the socket's high-water mark.
    // The backlog metric counts every byte held for slow frontends (socket buffers and pending slots); RSS is no
    // measure here, since V8 keeps the garbage of parsing reports until it needs the room.
    const { messages: backlogMessages, bytes: backlogBytes } = worst;
    expect(backlogMessages).toBeGreaterThan(0);
    expect(backlogMessages).toBeLessThanOrEqual(SERVERS);
    expect(backlogBytes).toBeLessThanOrEqual(HIGH_WATER_BYTES + (SERVERS + 1) * messageBytes);
    expect(pushed).toBeGreaterThan(4 * backlogBytes);

    // Reading again, the slow frontend ends with the latest report of every server.
    slow.resume();
    await expect
      .poll(
        () =>
          ids.every(
            (id) => slow.messages.findLast((m) => m.serverId === id)?.cpu.percent === REPORTS_PER_SERVER,
          ),
        {
          timeout: 10_000,
        },
      )
      .toBe(true);
    expect(slow.messages.length).toBeLessThan(SERVERS * REPORTS_PER_SERVER);
    slow.destroy();
  });
});
