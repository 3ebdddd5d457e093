import { describe, expect, it } from 'vitest';
import { type BusMessage, decode, decodeOwner, encode, encodeOwner } from './messages';

describe('bus messages', () => {
  const view = JSON.stringify({ serverId: 'web-1', cpu: { percent: 3 }, online: true, lastSeen: 1 });
  const messages: BusMessage[] = [
    { kind: 'report', from: 'dash-0', sentAt: 1_764_000_000_123, view },
    { kind: 'state', from: 'dash-1', sentAt: 1_764_000_000_456, view },
    { kind: 'claim', from: 'dash-1', id: 'web-1', generation: 7 },
    { kind: 'offline', from: 'dash-2', id: 'web.1_a-b', generation: 0 },
    { kind: 'removed', from: 'dash-0', id: 'web-1' },
  ];

  it.each(messages)('$kind survives encoding', (message) => {
    expect(decode(encode(message))).toEqual(message);
  });

  it('keeps tabs inside a report (JSON whitespace)', () => {
    const spaced = '{\t"serverId":\t"a"}';
    expect(decode(encode({ kind: 'report', from: 'r', sentAt: 5, view: spaced }))).toEqual({
      kind: 'report',
      from: 'r',
      sentAt: 5,
      view: spaced,
    });
  });

  it.each([
    '',
    'r',
    'r\tdash-0',
    'r\tdash-0\tnot-a-number\t{}',
    'r\tdash-0\t5\tnot json',
    'c\tdash-0\tweb-1',
    'c\tdash-0\tweb-1\t1.5',
    'o\tdash-0\tweb-1\t',
    'x\tdash-0\t',
    'x\tdash-0\tweb-1\textra',
    'z\tdash-0\tweb-1\t1',
    '\t\t\t',
  ])('refuses %j', (text) => {
    expect(decode(text)).toBeUndefined();
  });

  it('owner records', () => {
    expect(decodeOwner(encodeOwner('dash-1', 42))).toEqual({ replica: 'dash-1', generation: 42 });
    expect(decodeOwner('dash-1')).toBeUndefined();
    expect(decodeOwner('\t3')).toBeUndefined();
    expect(decodeOwner('dash-1\tx')).toBeUndefined();
  });
});
