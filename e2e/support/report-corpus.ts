// A corpus of /ws-report frames for the metrics' robustness test: the malformed frames of the rejection tests,
// reports that are valid but awkward for a label set (a filesystem path, interface or sensor twice, label values
// that need escaping, numbers at their bounds), and a deterministic run of random mutations of a full report.

import { MAX_CELSIUS, MAX_PROCESSES, MAX_UNIX_SECONDS, type ServerInfo } from '@sss/protocol';
import { fullExample } from '@sss/protocol/fixtures';
import { random } from './random';

/** One frame to send on a connection whose X-SERVER-ID is `serverId`. */
export interface CorpusEntry {
  name: string;
  serverId: string;
  frame: string | Buffer;
  binary?: true;
}

/** Label values that are legal in a report and need care in the exposition format. */
const AWKWARD_TEXT = [
  'quote " and backslash \\ and \\n',
  'line\nbreak',
  'carriage\rreturn\ttab',
  'nul \u0000 byte',
  'lone surrogate \ud800 here',
  'emoji 🖥️ 服务器',
  '{braces},="x"',
  ' ',
  '#',
];

const AWKWARD_NUMBERS = [0, 5e-324, 1, 100, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, 1.7e308, Number.MAX_VALUE];

function report(serverId: string, edit: (info: ServerInfo) => void): ServerInfo {
  const info = fullExample();
  info.serverId = serverId;
  edit(info);
  return info;
}

/** Every path to a leaf of a JSON value, as keys. */
function leaves(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [path];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return entries.flatMap(([key, v]) => leaves(v, [...path, key]));
}

function setAt(target: unknown, path: (string | number)[], value: unknown): void {
  let node = target as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1] as string | number] = value;
}

/** The corpus; `mutations` random mutants of a full report follow the hand-written entries. */
export function reportCorpus(mutations: number, seed = 13): CorpusEntry[] {
  const entries: CorpusEntry[] = [];
  const add = (name: string, serverId: string, info: unknown) =>
    entries.push({ name, serverId, frame: JSON.stringify(info) });

  // The rejection tests' frames.
  add(
    'serverId differs from the header',
    'fuzz-mismatch',
    report('someone-else', () => {}),
  );
  entries.push({ name: 'binary frame', serverId: 'fuzz-binary', frame: Buffer.from('{}'), binary: true });
  entries.push({ name: 'invalid JSON', serverId: 'fuzz-json', frame: '{"serverId":' });
  add(
    'negative memory',
    'fuzz-negative',
    report('fuzz-negative', (i) => (i.memory.used = -5)),
  );
  entries.push({
    name: 'missing nested field',
    serverId: 'fuzz-nested',
    frame: JSON.stringify({ ...fullExample(), serverId: 'fuzz-nested', disk: [{ path: '/' }] }),
  });
  entries.push({ name: 'not UTF-8', serverId: 'fuzz-utf8', frame: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) });

  // Valid reports that repeat a labelled series' key.
  add(
    'a filesystem path twice (a bind mount)',
    'fuzz-dup-path',
    report('fuzz-dup-path', (i) => i.disk.push({ ...(i.disk[0] as ServerInfo['disk'][0]), total: 1 })),
  );
  add(
    'an interface name twice',
    'fuzz-dup-interface',
    report('fuzz-dup-interface', (i) => {
      const list = i.network.interfaces ?? [];
      list.push({ ...(list[1] as (typeof list)[0]) }, { ...(list[0] as (typeof list)[0]), bytesSent: 7 });
    }),
  );
  add(
    'a sensor name twice',
    'fuzz-dup-sensor',
    report('fuzz-dup-sensor', (i) => i.temperatures?.push({ sensor: 'nvme Composite', celsius: 40 })),
  );
  AWKWARD_TEXT.forEach((text, n) => {
    const id = `fuzz-text-${n}`;
    add(
      `label text ${JSON.stringify(text)}`,
      id,
      report(id, (i) => {
        i.serverName = text;
        i.group = text;
        i.cpu.modelName = text;
        i.system.kernel = text;
        i.disk.push({ ...(i.disk[0] as ServerInfo['disk'][0]), path: text });
        const list = i.network.interfaces ?? [];
        list.push({ ...(list[0] as (typeof list)[0]), name: text });
        i.temperatures?.push({ sensor: text, celsius: -273.15 });
      }),
    );
  });
  AWKWARD_NUMBERS.forEach((n, k) => {
    const id = `fuzz-number-${k}`;
    add(
      `numbers at ${n}`,
      id,
      report(id, (i) => {
        Object.assign(i.memory, { total: n, used: n, available: n, swapTotal: n, cached: n });
        Object.assign(i.disk[0] as object, { total: n, used: n, free: n, readSpeed: n, writeSpeed: n });
        Object.assign(i.network, { bytesSent: n, bytesRecv: n, inSpeed: n, outSpeed: n });
        i.system.uptime = n;
        i.system.bootTime = Math.min(n, MAX_UNIX_SECONDS);
        i.system.processes = Math.min(Math.floor(n), MAX_PROCESSES);
        if (i.temperatures?.[0]) i.temperatures[0].celsius = Math.min(n, MAX_CELSIUS);
        i.timestamp = n;
      }),
    );
  });

  // Random mutants: one leaf replaced by a value from the pools above (or of another type).
  const rnd = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)] as T;
  const pool: unknown[] = [
    ...AWKWARD_TEXT,
    ...AWKWARD_NUMBERS,
    -1,
    101,
    null,
    '',
    [],
    {},
    true,
    '42',
    Number.POSITIVE_INFINITY,
  ];
  const paths = leaves(fullExample()).filter((p) => p[0] !== 'serverId');
  for (let n = 0; n < mutations; n++) {
    const id = `fuzz-random-${n}`;
    const info = report(id, () => {});
    for (let k = 1 + Math.floor(rnd() * 3); k > 0; k--) setAt(info, pick(paths), pick(pool));
    if (rnd() < 0.2) info.disk.push({ ...(info.disk[0] as ServerInfo['disk'][0]) });
    add(`random mutant ${n}`, id, info);
  }
  return entries;
}
