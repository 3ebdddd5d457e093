// `npm run bench cluster`: the dashboard watching a real control plane's fake Nodes (kwok plays their kubelets)
// with 100 simulated agents reporting for 100 of them and one browser. Prints how fast the Nodes were made, the
// time from the dashboard's start to its first complete list, its RSS, its CPU while idle (Node updates that change
// nothing a browser sees keep arriving) and while 500 Nodes are cordoned at once, the delay until the browser has
// all 500 changes, and the CPU of every process involved: they all share this machine's cores. Last, in this process
// and side by side, it lists the Nodes the way the dashboard did before (the client library's typed listNode) and
// the way it does now (its NodeWatcher, plain JSON), and prints the time and CPU of each; and it starts the dashboard
// alternately the two ways it reaches the API server, with KUBECONFIG (the client library loaded for it) and as in a
// pod with its ServiceAccount (no library), and prints each one's time, CPU and RSS at its first complete list.
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { CoreV1Api } from '@kubernetes/client-node';
import pino from 'pino';
import { parse } from 'yaml';
import { type ApiServer, apiServerFor } from '../dashboard/src/kubernetes/api-server';
import { type NodeJson, nodeFacts } from '../dashboard/src/kubernetes/node-facts';
import { NodeWatcher } from '../dashboard/src/kubernetes/node-watcher';
import { type ControlPlane, startControlPlane } from '../e2e/cluster/control-plane';
import { type NodeObject, nodeObject } from '../e2e/cluster/nodes';
import { podServiceAccount } from '../e2e/cluster/pod-service-account';
import { FrontendClient } from '../e2e/support/clients';
import { type Dashboard, startDashboard, stopAll } from '../e2e/support/processes';
import { findTool } from '../e2e/support/tools';
import { cpuSeconds, mebibytes, peakRssBytes, quantile } from './stats';

const NODES = Number(process.env.SSS_BENCH_NODES ?? 5_000);
const AGENTS = Math.min(100, NODES);
const CORDONED = Math.min(500, NODES);
const INTERVAL_MS = 5_000;
const IDLE_WINDOW_MS = 30_000;
/** API requests in flight at once while creating and cordoning Nodes. */
const CONCURRENCY = 50;
const ACCOUNT = 'sss-bench-dashboard';

/**
 * Named like the ids bench/fanout-agents.ts reports as (bench-<index>), so that simulator serves unchanged: its
 * agents 0..99 are the agents of Nodes bench-0..bench-99.
 */
const nodeName = (i: number) => `bench-${i}`;

function residentBytes(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;
}

/** Runs `task` for every index below `count`, at most `limit` at a time. */
async function pool(count: number, limit: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

function agents(options: object): Promise<ChildProcess> {
  const proc = fork(
    fileURLToPath(new URL('./fanout-agents.ts', import.meta.url)),
    [JSON.stringify(options)],
    {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  return new Promise((resolve, reject) => {
    proc.once('exit', (code) =>
      reject(new Error(`fanout-agents.ts exited with ${code} before it was ready`)),
    );
    proc.on('message', (m: { type: string }) => {
      if (m.type === 'ready') resolve(proc);
    });
  });
}

/** Reports the simulator sent since its last `start`. */
function reportsSent(proc: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (m: { type: string; sent?: number }) => {
      if (m.type !== 'result') return;
      proc.off('message', onMessage);
      resolve(m.sent ?? 0);
    };
    proc.on('message', onMessage);
    proc.send({ type: 'stop' });
  });
}

/** Calls the API server as admin over kept-alive connections; resolves with the parsed JSON answer. */
type Call = <T = unknown>(method: string, path: string, body?: unknown, contentType?: string) => Promise<T>;

interface AdminCredentials {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

/** The CA and the client certificate of the control plane's admin kubeconfig (it embeds all three). */
function adminCredentials(cp: ControlPlane): AdminCredentials {
  const config = parse(readFileSync(cp.kubeconfig, 'utf8'));
  const data = (text: string) => Buffer.from(text, 'base64');
  return {
    ca: data(config.clusters[0].cluster['certificate-authority-data']),
    cert: data(config.users[0].user['client-certificate-data']),
    key: data(config.users[0].user['client-key-data']),
  };
}

/**
 * ControlPlane.request opens a TLS connection per call, which holds it to about 60 calls a second on this
 * machine; thousands of Nodes are created, and hundreds cordoned "at once", on CONCURRENCY kept-alive connections.
 */
function adminClient(server: string, credentials: AdminCredentials): { call: Call; close: () => void } {
  const agent = new Agent({ ...credentials, keepAlive: true, maxSockets: CONCURRENCY });
  const call: Call = (method, path, body, contentType = 'application/json') =>
    new Promise((resolve, reject) => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        `${server}${path}`,
        {
          method,
          agent,
          headers: {
            'user-agent': 'sss-bench',
            ...(text === undefined ? {} : { 'content-type': contentType }),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const reply = Buffer.concat(chunks).toString();
            if ((response.statusCode ?? 0) >= 300) {
              reject(new Error(`${method} ${path}: HTTP ${response.statusCode} ${reply.slice(0, 300)}`));
            } else resolve(JSON.parse(reply));
          });
          response.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(text);
    });
  return { call, close: () => agent.destroy() };
}

interface NodeList {
  metadata: { resourceVersion: string; continue?: string };
  items: NodeObject[];
}

const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';

/** Every Node, listed in pages. */
async function listNodes(call: Call): Promise<NodeObject[]> {
  const nodes: NodeObject[] = [];
  let next: string | undefined;
  do {
    const page = await call<NodeList>(
      'GET',
      `/api/v1/nodes?limit=500${next ? `&continue=${encodeURIComponent(next)}` : ''}`,
    );
    nodes.push(...page.items);
    next = page.metadata.continue || undefined;
  } while (next);
  return nodes;
}

/**
 * Waits until kwok has made every Node Ready and none carries the not-ready taint any more. The API server gives
 * every new Node that taint, and the node lifecycle controller takes it off a Ready Node at only a few Nodes a
 * second here (about 20 minutes for 5,000), so the bench removes it from every Ready Node itself, as the
 * controller would. Resolves with the milliseconds until all were Ready.
 */
async function settle(call: Call, since: number): Promise<number> {
  let readyMs: number | undefined;
  for (;;) {
    const nodes = await listNodes(call);
    const ready = nodes.filter((node) =>
      (node.status?.conditions ?? []).some(
        (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
      ),
    );
    if (ready.length === NODES) readyMs ??= performance.now() - since;
    const tainted = ready.filter((node) =>
      (node.spec?.taints ?? []).some((t: { key: string }) => t.key === NOT_READY_TAINT),
    );
    if (readyMs !== undefined && tainted.length === 0) return readyMs;
    if (performance.now() - since > 600_000) {
      throw new Error(`${ready.length} of ${NODES} Nodes Ready, ${tainted.length} still tainted after 600 s`);
    }
    await pool(tainted.length, CONCURRENCY, (i) =>
      call(
        'PATCH',
        `/api/v1/nodes/${tainted[i]?.metadata.name}`,
        { spec: { taints: null } },
        'application/merge-patch+json',
      ),
    );
    await sleep(1_000);
  }
}

/**
 * A watch of Nodes of its own, beside the dashboard's. It counts updates by the manager that wrote the newest
 * managed-fields entry (kwok's heartbeats, the controller manager's labels and annotations, the bench's cordon),
 * to tell what reached the dashboard in a phase, and notes when each Node was first seen cordoned, so the
 * dashboard's own share of the delay shows.
 */
async function watchNodes(cp: ControlPlane, call: Call, credentials: AdminCredentials) {
  const { metadata } = await call<NodeList>('GET', '/api/v1/nodes?limit=1');
  const updates = new Map<string, number>();
  const cordonedAt = new Map<string, number>();
  const req = request(`${cp.server}/api/v1/nodes?watch=1&resourceVersion=${metadata.resourceVersion}`, {
    ...credentials,
    agent: false,
  });
  req.on('response', (response) => {
    let rest = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        const event = JSON.parse(line) as { type: string; object: NodeObject };
        if (event.type !== 'MODIFIED') continue;
        const { name, managedFields = [] } = event.object.metadata;
        // Times have whole seconds: of two managers in the same second, the later in the list counts.
        const newest = managedFields.reduce(
          (a: { time: string } | undefined, b: { time: string }) => (a && a.time > b.time ? a : b),
          undefined,
        );
        const manager = newest?.manager ?? 'unknown';
        updates.set(manager, (updates.get(manager) ?? 0) + 1);
        if (event.object.spec?.unschedulable && !cordonedAt.has(name))
          cordonedAt.set(name, performance.now());
      }
    });
  });
  // The watch is destroyed at the end of the run; the server may also end it after its own timeout.
  req.on('error', () => {});
  req.end();
  return { updates, cordonedAt, stop: () => req.destroy() };
}

/** CPU seconds of each process, to be turned into % of one core over a phase. */
function cpuOf(pids: Map<string, number>): Map<string, number> {
  return new Map([...pids].map(([name, pid]) => [name, cpuSeconds(pid)]));
}

function percentSince(before: Map<string, number>, pids: Map<string, number>, seconds: number) {
  return new Map(
    [...pids].map(([name, pid]) => [name, ((cpuSeconds(pid) - (before.get(name) ?? 0)) / seconds) * 100]),
  );
}

type NodeEvents = Awaited<ReturnType<typeof watchNodes>>;
type RssSampler = ReturnType<typeof rssSampler>;

/** Samples a process's RSS every 100 ms; `max` is the largest seen since the last `reset`. */
function rssSampler(pid: number) {
  let max = 0;
  const timer = setInterval(() => {
    max = Math.max(max, residentBytes(pid));
  }, 100);
  return {
    reset: () => {
      max = residentBytes(pid);
    },
    get max() {
      return Math.max(max, residentBytes(pid));
    },
    stop: () => clearInterval(timer),
  };
}

interface Setup {
  call: Call;
  /** Every process on the machine that takes part, by name. */
  pids: Map<string, number>;
  watcher: FrontendClient;
  events: NodeEvents;
  rss: RssSampler;
}

interface Phase {
  name: string;
  /** % of one core, by process name. */
  cpu: Map<string, number>;
  maxRss: number;
}

/** Runs `body` as a measured phase: every process's CPU, the dashboard's largest RSS, what reached the browser. */
async function measured<T>(setup: Setup, name: string, body: (start: number) => Promise<T>) {
  const from = setup.watcher.messages.length;
  const updatesBefore = new Map(setup.events.updates);
  setup.rss.reset();
  const cpuBefore = cpuOf(setup.pids);
  const start = performance.now();
  const result = await body(start);
  const elapsed = (performance.now() - start) / 1000;
  const phase: Phase = { name, cpu: percentSince(cpuBefore, setup.pids, elapsed), maxRss: setup.rss.max };
  return {
    result,
    phase,
    elapsed,
    from,
    messages: setup.watcher.messages.slice(from),
    nodeUpdates: [...setup.events.updates]
      .map(([manager, count]) => [manager, count - (updatesBefore.get(manager) ?? 0)] as const)
      .filter(([, count]) => count > 0),
  };
}

/**
 * Only the agents report. Node updates keep coming (the controller manager labels and annotates every new Node
 * for minutes; kwok's heartbeats), but none changes a fact a browser sees, so none should cause a message.
 */
async function idle(setup: Setup, simulator: ChildProcess) {
  simulator.send({ type: 'start' });
  const m = await measured(setup, `idle ${IDLE_WINDOW_MS / 1000} s`, () => sleep(IDLE_WINDOW_MS));
  const reports = await reportsSent(simulator);
  // A message that is no agent's report repeats the report timestamp of the server's previous message (for a
  // Node without an agent, 0).
  const lastTimestamp = new Map<string, number>();
  for (const { info } of setup.watcher.messages.slice(0, m.from))
    lastTimestamp.set(info.serverId, info.timestamp);
  let notReports = 0;
  for (const { info } of m.messages) {
    if (lastTimestamp.get(info.serverId) === info.timestamp) notReports++;
    lastTimestamp.set(info.serverId, info.timestamp);
  }
  return { ...m, reports, notReports };
}

/**
 * CORDONED Nodes cordoned at once (spread over the names, so agents' Nodes are among them). Ends when the browser
 * has every one of them unschedulable; the node lifecycle controller's unschedulable taint, a second change of
 * each, comes later (a few Nodes a second here) and is not waited for.
 */
async function cordon(setup: Setup) {
  const targets = Array.from({ length: CORDONED }, (_, i) => nodeName(Math.floor((i * NODES) / CORDONED)));
  const phase = await measured(setup, `${CORDONED} cordoned`, async (start) => {
    const from = setup.watcher.messages.length;
    const answered = new Map<string, number>();
    await pool(CORDONED, CONCURRENCY, async (i) => {
      const name = targets[i] ?? '';
      await setup.call(
        'PATCH',
        `/api/v1/nodes/${name}`,
        { spec: { unschedulable: true } },
        'application/strategic-merge-patch+json',
      );
      answered.set(name, performance.now());
    });
    const patchedMs = performance.now() - start;
    // Messages keep their arrival time, so waiting only now measures the same.
    const seen = new Set<string>();
    const last = await setup.watcher.waitFor(
      (info) => {
        if (answered.has(info.serverId) && info.kubernetes?.unschedulable) seen.add(info.serverId);
        return seen.size === CORDONED;
      },
      300_000,
      from,
    );
    return { patchedMs, allMs: last.at - start, answered };
  });
  // The bench's own watch runs in this process and may not have read the last events yet.
  await sleep(1_000);
  // Per Node, to the browser's receipt of the change: from the API server's answer to the PATCH, and from the
  // moment the bench's own watch saw it (what remains is the dashboard's own share; it may be negative).
  const fromAnswer: number[] = [];
  const fromWatch: number[] = [];
  const { answered } = phase.result;
  for (const { at, info } of phase.messages) {
    const patched = answered.get(info.serverId);
    if (patched !== undefined && info.kubernetes?.unschedulable) {
      fromAnswer.push(at - patched);
      fromWatch.push(at - (setup.events.cordonedAt.get(info.serverId) ?? Number.NaN));
      answered.delete(info.serverId);
    }
  }
  const sorted = (values: number[]) => Float64Array.from(values).sort();
  return { ...phase, fromAnswer: sorted(fromAnswer), fromWatch: sorted(fromWatch) };
}

/** Rounds of the side-by-side list comparison; each lists every Node both ways. */
const LIST_ROUNDS = 3;
/** How often the dashboard is started each way to compare its connections to the API server. */
const CONNECTION_ROUNDS = 3;

/**
 * The dashboard's list before it read plain JSON: the generated client's listNode in pages of 500, which turns
 * every Node into a typed V1Node (Dates for timestamps), then nodeFacts. Kept here only as the baseline.
 */
async function typedList(api: CoreV1Api): Promise<number> {
  const names = new Set<string>();
  let next: string | undefined;
  do {
    const page = await api.listNode({ limit: 500, ...(next ? { _continue: next } : {}) });
    // nodeFacts reads the same fields from a V1Node; its Dates where NodeJson has strings read the same.
    for (const node of page.items) names.add(nodeFacts(node as unknown as NodeJson).nodeName);
    next = page.metadata?._continue || undefined;
  } while (next);
  return names.size;
}

/** The dashboard's list now: its own NodeWatcher, from start to synced (then stopped before it watches long). */
async function plainList(api: ApiServer): Promise<number> {
  const watcher = new NodeWatcher(api, { upsert() {}, remove() {} }, pino({ level: 'silent' }));
  watcher.start();
  const synced = await watcher.whenSynced(120_000);
  const size = watcher.size;
  watcher.stop();
  if (!synced) throw new Error('the NodeWatcher did not sync within 120 s');
  return size;
}

/** Wall time and CPU of this process (user + system) for `task`; nothing else of this process should be busy. */
async function timed(task: () => Promise<number>) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const nodes = await task();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { nodes, wallMs, cpuMs: (used.user + used.system) / 1000 };
}

/**
 * Lists every Node both ways, alternately, LIST_ROUNDS times, with the dashboard's read-only token; the medians.
 * The client library is loaded before the first round, so no round pays for loading it.
 */
async function compareLists(kubeconfig: string) {
  const server = await apiServerFor('on', { KUBECONFIG: kubeconfig });
  if (!server) throw new Error('no kubeconfig');
  const { CoreV1Api, KubeConfig } = await import('@kubernetes/client-node');
  const config = new KubeConfig();
  config.loadFromFile(kubeconfig);
  const api = config.makeApiClient(CoreV1Api);
  const typed: Awaited<ReturnType<typeof timed>>[] = [];
  const plain: Awaited<ReturnType<typeof timed>>[] = [];
  for (let round = 0; round < LIST_ROUNDS; round++) {
    typed.push(await timed(() => typedList(api)));
    plain.push(await timed(() => plainList(server)));
  }
  const median = (runs: typeof typed, key: 'wallMs' | 'cpuMs') =>
    quantile(Float64Array.from(runs.map((r) => r[key])).sort(), 0.5);
  const nodes = new Set([...typed, ...plain].map((r) => r.nodes));
  if (nodes.size !== 1)
    throw new Error(`the lists disagree on the number of Nodes: ${[...nodes].join(', ')}`);
  return {
    nodes: [...nodes][0] ?? 0,
    typed: { wallMs: median(typed, 'wallMs'), cpuMs: median(typed, 'cpuMs') },
    plain: { wallMs: median(plain, 'wallMs'), cpuMs: median(plain, 'cpuMs') },
  };
}

/** A dashboard started until its first complete list, then stopped. */
async function firstList(env: Record<string, string>, launcher: string[] = []) {
  const startedAt = Date.now();
  const dashboard = await startDashboard(
    { ...env, SSS_KUBERNETES: 'on', SSS_ID_POLICY: 'nodes', SSS_LOG_LEVEL: 'info' },
    [],
    launcher,
  );
  const pid = dashboard.child.pid ?? 0; // unshare and sh exec the next program, so this is node's
  const listed = await dashboard.waitForLog((l) => l.msg === 'kubernetes: nodes listed', 300_000);
  const run = {
    ms: Date.parse(String(listed.time)) - startedAt,
    cpuMs: cpuSeconds(pid) * 1000,
    rss: residentBytes(pid),
  };
  await dashboard.stop('SIGTERM');
  return run;
}

/**
 * The dashboard's two ways to the API server, alternately CONNECTION_ROUNDS times each, with the same read-only
 * token: KUBECONFIG and a pod's ServiceAccount (podServiceAccount: a private mount namespace, so root). The medians.
 */
async function compareConnections(cp: ControlPlane, token: string, kubeconfig: string) {
  const unshare = findTool('unshare');
  if (!unshare) throw new Error('unshare (util-linux) is needed to run the dashboard as in a pod');
  const pod = podServiceAccount(cp, token, unshare);
  const runs: Record<'kubeconfig' | 'pod', Awaited<ReturnType<typeof firstList>>[]> = {
    kubeconfig: [],
    pod: [],
  };
  try {
    for (let round = 0; round < CONNECTION_ROUNDS; round++) {
      runs.kubeconfig.push(await firstList({ KUBECONFIG: kubeconfig }));
      runs.pod.push(await firstList(pod.env, pod.launcher));
    }
  } finally {
    pod.remove();
  }
  const median = (way: keyof typeof runs, key: 'ms' | 'cpuMs' | 'rss') =>
    quantile(Float64Array.from(runs[way].map((r) => r[key])).sort(), 0.5);
  const summary = (way: keyof typeof runs) =>
    `${seconds(median(way, 'ms'))} from start, ${seconds(median(way, 'cpuMs'))} of CPU, ` +
    `RSS ${mebibytes(median(way, 'rss'))} (runs: ${runs[way].map((r) => mebibytes(r.rss)).join(', ')})`;
  const ratio = (key: 'ms' | 'cpuMs' | 'rss') => (median('pod', key) / median('kubeconfig', key)).toFixed(2);
  return {
    kubeconfig: summary('kubeconfig'),
    pod: summary('pod'),
    ratios: `${ratio('ms')}x time, ${ratio('cpuMs')}x CPU, ${ratio('rss')}x RSS`,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const byManager = (updates: (readonly [string, number])[]) =>
  updates.length === 0 ? 'none' : updates.map(([manager, count]) => `${count} by ${manager}`).join(', ');
const percent = (n: number | undefined) => `${(n ?? Number.NaN).toFixed(1)} %`;

export async function run(): Promise<void> {
  if (!Number.isInteger(NODES) || NODES < 1) {
    throw new Error(`SSS_BENCH_NODES wants a whole number of at least 1, not ${process.env.SSS_BENCH_NODES}`);
  }
  console.log(
    `${NODES} kwok Nodes, ${AGENTS} agents every ${INTERVAL_MS / 1000} s, 1 browser, ` +
      `idle window ${IDLE_WINDOW_MS / 1000} s, ${CORDONED} Nodes cordoned at once; ` +
      `the control plane, the simulators and the dashboard share this machine's ${availableParallelism()} cores`,
  );
  const began = performance.now();
  const cp = await startControlPlane();
  // Undone in reverse order, also when a step fails.
  const cleanup: (() => unknown)[] = [() => cp.stop(), stopAll];
  try {
    console.log(`control plane up after ${seconds(performance.now() - began)}`);
    const credentials = adminCredentials(cp);
    const admin = adminClient(cp.server, credentials);
    cleanup.push(admin.close);
    const token = await cp.nodeReaderToken(ACCOUNT);

    const createStart = performance.now();
    await pool(NODES, CONCURRENCY, (i) => {
      // InternalIPs 172.18.0.2 up, as ControlPlane.createNode gives them.
      const ip = `172.18.${(i + 2) >> 8}.${(i + 2) & 255}`;
      const options = { zone: `zone-${'abc'[i % 3]}`, role: 'worker', instanceType: 'standard-4' };
      return admin.call('POST', '/api/v1/nodes', nodeObject(nodeName(i), ip, options));
    });
    const createdMs = performance.now() - createStart;
    console.log(`created ${NODES} Nodes in ${seconds(createdMs)}`);
    const readyMs = await settle(admin.call, createStart);
    const settledMs = performance.now() - createStart;
    console.log(`all Ready (kwok) after ${seconds(readyMs)}, untainted after ${seconds(settledMs)}`);

    const events = await watchNodes(cp, admin.call, credentials);
    cleanup.push(events.stop);
    const startedAt = Date.now();
    const kubeconfig = cp.kubeconfigFor(token);
    const dashboard: Dashboard = await startDashboard({
      KUBECONFIG: kubeconfig,
      SSS_KUBERNETES: 'on',
      SSS_ID_POLICY: 'nodes',
      SSS_LOG_LEVEL: 'info',
    });
    const pid = dashboard.child.pid ?? 0;
    const listed = await dashboard.waitForLog((l) => l.msg === 'kubernetes: nodes listed', 300_000);
    // pino's `time` is when the line was written: how soon this process read it does not count.
    const listedMs = Date.parse(String(listed.time)) - startedAt;
    // The watcher starts listing as the server listens: the rest of the time is Node.js and module loading.
    const listening = await dashboard.waitForLog((l) => l.msg === 'listening');
    const listOnlyMs = Date.parse(String(listed.time)) - Date.parse(String(listening.time));
    const listCpu = cpuSeconds(pid);
    const rssAfterList = residentBytes(pid);
    console.log(`dashboard listed ${listed.nodes} Nodes ${seconds(listedMs)} after its start`);
    const rss = rssSampler(pid);
    cleanup.push(rss.stop);

    const watcher = new FrontendClient(dashboard.wsUrl);
    cleanup.push(() => watcher.close());
    await watcher.open();
    // The snapshot: one message per server, and every Node is one.
    await watcher.waitFor(() => watcher.messages.length >= NODES, 60_000);
    const simulator = await agents({
      url: `${dashboard.wsUrl}/ws-report`,
      secret: dashboard.secret,
      first: 0,
      count: AGENTS,
      intervalMs: INTERVAL_MS,
    });
    cleanup.push(() => simulator.kill());
    // One interval: every agent has reported once, so its Node no longer misses its agent.
    await sleep(INTERVAL_MS);

    const setup: Setup = {
      call: admin.call,
      pids: new Map([
        ['dashboard', pid],
        ...cp.processes.map((p) => [p.name, p.pid] as const),
        ['agents', simulator.pid ?? 0],
        // The browser, the second watch and the API calls.
        ['bench', process.pid],
      ]),
      watcher,
      events,
      rss,
    };
    const quiet = await idle(setup, simulator);
    const change = await cordon(setup);
    const lists = await compareLists(kubeconfig);
    const connections = await compareConnections(cp, token, kubeconfig);
    const spread = (delays: Float64Array) =>
      `p50 ${quantile(delays, 0.5).toFixed(1)} ms, p99 ${quantile(delays, 0.99).toFixed(1)} ms, ` +
      `max ${quantile(delays, 1).toFixed(1)} ms`;

    const rows: [string, string][] = [
      ['Nodes created', `${NODES} in ${seconds(createdMs)} (${CONCURRENCY} POSTs at a time)`],
      ['Nodes Ready (kwok)', `${seconds(readyMs)} after the first POST`],
      [
        'first complete list',
        `${seconds(listedMs)} from the dashboard's start to "kubernetes: nodes listed" (${listed.nodes} Nodes), ` +
          `${seconds(listOnlyMs)} of it after "listening"; ${listCpu.toFixed(2)} s of CPU until then`,
      ],
      ['dashboard RSS after the list', mebibytes(rssAfterList)],
      [
        `idle ${quiet.elapsed.toFixed(0)} s: browser messages`,
        `${quiet.messages.length}: ${quiet.messages.length - quiet.notReports} agents' reports ` +
          `(they sent ${quiet.reports}), ${quiet.notReports} others; Node updates watched: ${byManager(quiet.nodeUpdates)}`,
      ],
      [
        `cordon: ${CORDONED} PATCHes answered`,
        `after ${seconds(change.result.patchedMs)} (${CONCURRENCY} at a time)`,
      ],
      [`cordon: browser has all ${CORDONED}`, `after ${seconds(change.result.allMs)}`],
      ['cordon: PATCH answer to browser', spread(change.fromAnswer)],
      ['cordon: second watch to browser', spread(change.fromWatch)],
      [
        'cordon: browser messages',
        `${change.messages.length} in ${change.elapsed.toFixed(2)} s (reports included); ` +
          `Node updates watched: ${byManager(change.nodeUpdates)}`,
      ],
      ['dashboard peak RSS (VmHWM)', mebibytes(peakRssBytes(pid))],
      [
        `list ${lists.nodes} Nodes: typed (before)`,
        `${seconds(lists.typed.wallMs)}, ${seconds(lists.typed.cpuMs)} of CPU (client library's listNode, V1Node)`,
      ],
      [
        `list ${lists.nodes} Nodes: plain JSON (now)`,
        `${seconds(lists.plain.wallMs)}, ${seconds(lists.plain.cpuMs)} of CPU (the dashboard's NodeWatcher); ` +
          `typed / plain: ${(lists.typed.wallMs / lists.plain.wallMs).toFixed(1)}x time, ` +
          `${(lists.typed.cpuMs / lists.plain.cpuMs).toFixed(1)}x CPU (medians of ${LIST_ROUNDS}, in this process)`,
      ],
      ['first list with KUBECONFIG', `${connections.kubeconfig}; the client library loaded`],
      ['first list as in a pod', `${connections.pod}; ServiceAccount token and CA, no client library`],
      ['first list, pod / KUBECONFIG', `${connections.ratios} (medians of ${CONNECTION_ROUNDS} starts each)`],
    ];
    for (const [name, value] of rows) console.log(`${name.padEnd(34)} ${value}`);

    const names = [...setup.pids.keys()];
    const widths = names.map((n) => Math.max(n.length, 7) + 2);
    const row = (first: string, cells: string[], last: string) =>
      `${first.padEnd(20)}${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('')}${last}`;
    console.log(`\n${row('CPU, % of one core', names, 'dashboard max RSS')}`);
    for (const { name, cpu, maxRss } of [quiet.phase, change.phase]) {
      console.log(
        row(
          name,
          names.map((n) => percent(cpu.get(n))),
          mebibytes(maxRss),
        ),
      );
    }
  } finally {
    for (const undo of cleanup.reverse()) await undo();
  }
}
