// What replicas tell each other on the bus channel. One text line per message, fields separated by tabs; a
// report's (and a state's) last field is the server's FrontendServerInfo JSON as the sending replica's browsers got it (JSON may
// hold tabs as whitespace, so it is whatever follows the third tab). Replica and server ids hold no tabs.

export type BusMessage =
  /** A report the sender accepted from its agent; `sentAt`: the sender's clock, ms, for the delivery metric. */
  | { kind: 'report'; from: string; sentAt: number; view: string }
  /**
   * The latest state of a server the sender holds, sent when it (re)joins Redis: applied as a state from the hash
   * (listed when unknown, brought online when known offline), not as a new report (no history point, no lastSeen).
   */
  | { kind: 'state'; from: string; sentAt: number; view: string }
  /** The sender accepted an agent connection for `id`; the highest generation owns the id, older ones close. */
  | { kind: 'claim'; from: string; id: string; generation: number }
  /** The connection of that generation closed: the server is offline unless a newer one holds it. */
  | { kind: 'offline'; from: string; id: string; generation: number }
  /** The server was removed (DELETE /api/servers/:id, or its Node went). */
  | { kind: 'removed'; from: string; id: string };

const KINDS = { report: 'r', state: 's', claim: 'c', offline: 'o', removed: 'x' } as const;

export function encode(message: BusMessage): string {
  const head = `${KINDS[message.kind]}\t${message.from}\t`;
  switch (message.kind) {
    case 'report':
    case 'state':
      return `${head}${message.sentAt}\t${message.view}`;
    case 'claim':
    case 'offline':
      return `${head}${message.id}\t${message.generation}`;
    case 'removed':
      return `${head}${message.id}`;
  }
}

/** The message, or undefined for text no replica of ours wrote. */
export function decode(text: string): BusMessage | undefined {
  const fields: string[] = [];
  let start = 0;
  // A report has four fields, the rest at most four; the last field keeps any tabs it holds.
  for (let i = 0; i < 3; i++) {
    const tab = text.indexOf('\t', start);
    if (tab === -1) break;
    fields.push(text.slice(start, tab));
    start = tab + 1;
  }
  fields.push(text.slice(start));
  const [kind, from, a, b] = fields;
  if (!from || a === undefined || a === '') return undefined;
  switch (kind) {
    case KINDS.report:
    case KINDS.state: {
      const sentAt = Number(a);
      return b?.startsWith('{') && Number.isFinite(sentAt)
        ? { kind: kind === KINDS.report ? 'report' : 'state', from, sentAt, view: b }
        : undefined;
    }
    case KINDS.claim:
    case KINDS.offline: {
      const generation = Number(b);
      if (!b || !Number.isSafeInteger(generation)) return undefined;
      return { kind: kind === KINDS.claim ? 'claim' : 'offline', from, id: a, generation };
    }
    case KINDS.removed:
      return b === undefined ? { kind: 'removed', from, id: a } : undefined;
    default:
      return undefined;
  }
}

/** The owner record kept in Redis per server: `<replica>\t<generation>`. */
export function encodeOwner(replica: string, generation: number): string {
  return `${replica}\t${generation}`;
}

export function decodeOwner(text: string): { replica: string; generation: number } | undefined {
  const tab = text.indexOf('\t');
  const generation = Number(text.slice(tab + 1));
  if (tab < 1 || !Number.isSafeInteger(generation)) return undefined;
  return { replica: text.slice(0, tab), generation };
}
