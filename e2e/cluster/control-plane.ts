// A real Kubernetes control plane on loopback (DESIGN section 9, tier 5): etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler and kwok, which plays the kubelet of fake Nodes. No container ever runs:
// kwok only writes the status of Pods on its Nodes. Facts behind the flags: shared/notes/k8s-control-plane.md.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../support/ports';
import { findTool } from '../support/tools';
import { createCertificates } from './certificates';
import { type Component, type ComponentRecord, logTail, spawnComponent, stopRecorded } from './components';
import { writeKubeconfig } from './kubeconfig';
import { kwokAnnotation, type NodeObject, type NodeOptions, nodeObject } from './nodes';

export const controlPlaneTools = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kwok',
  'kubectl',
  'helm',
] as const;
export type ControlPlaneTools = Record<(typeof controlPlaneTools)[number], string>;

/** The binaries scripts/install-tools.sh builds, or undefined when one is missing (findTool warns, or throws under
 * CI=true). */
export function findControlPlaneTools(): ControlPlaneTools | undefined {
  const tools: Partial<ControlPlaneTools> = {};
  for (const name of controlPlaneTools) tools[name] = findTool(name);
  return controlPlaneTools.every((name) => tools[name]) ? (tools as ControlPlaneTools) : undefined;
}

export interface ControlPlaneOptions {
  /** Where certificates, kubeconfigs, etcd's data and the logs go; created, and must be empty. Default: a new temp dir. */
  dir?: string;
  /** Keep dir (logs, certificates, etcd) after stop() and after a failed start. */
  keepDir?: boolean;
  /** Fake Nodes node-1..node-N that kwok manages, in zone-a..zone-c, waited for until Ready. Default 0. */
  nodes?: number;
  /** The components outlive this process (`npm run cluster -- up`); otherwise they die with it. */
  persistent?: boolean;
  /** Limit of each wait while starting, ms; default 60 000. */
  timeoutMs?: number;
}

/** What cluster.json in the dir records, for another process to find and stop the components. */
export interface ControlPlaneState {
  server: string;
  kubeconfig: string;
  caFile: string;
  components: ComponentRecord[];
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
}

interface Reply {
  status: number;
  body: string;
}

const serviceRange = '10.96.0.0/12';
/** The first address of serviceRange: the `kubernetes` Service's, which the API server certificate names. */
const serviceIp = '10.96.0.1';
/** kwok's default Pod CIDR (10.0.0.1/24) is inside the service ranges people use; this one is not. */
const podCidr = '10.244.0.1/16';
const stateFile = 'cluster.json';
const stopGraceMs = 5_000;

function send(url: string, options: RequestOptions, body?: string, timeoutMs = 10_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const onResponse = (response: IncomingMessage) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      response.on('error', reject);
    };
    const all = { ...options, agent: false, timeout: timeoutMs };
    const request = url.startsWith('https:')
      ? httpsRequest(url, all, onResponse)
      : httpRequest(url, all, onResponse);
    request.on('timeout', () => request.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}

/** Runs a client binary; resolves with its stdout, rejects with its stderr on a non-zero exit or a timeout. */
function run(
  binary: string,
  args: string[],
  env: Record<string, string>,
  options: RunOptions,
): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const command = `${binary.split('/').pop()} ${args.join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve(stdout);
      const how = timedOut ? `timed out after ${timeoutMs} ms` : `failed (${signal ?? `exit ${code}`})`;
      reject(new Error(`${command} ${how}: ${stderr.trim() || stdout.trim()}`));
    });
    // A child that exits without reading its input breaks the pipe; its exit status tells what went wrong.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiServer: number;
  controllerManager: number;
  scheduler: number;
}

export class ControlPlane {
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** The CA that signed the API server's certificate (and every client certificate). */
  readonly caFile: string;
  /** An admin kubeconfig (system:masters) with embedded credentials. */
  readonly kubeconfig: string;
  /** Seconds from the call of startControlPlane to the end of each step of the start. */
  readonly timings: Record<string, number> = {};
  private readonly components: Component[] = [];
  private readonly tls: RequestOptions;
  private readonly clientEnv: Record<string, string>;
  /** The default InternalIP of the next Node, counted from 172.18.0.2 up. */
  private nextNodeIp = 2;
  private stopped?: Promise<void>;

  constructor(
    readonly dir: string,
    private readonly tools: ControlPlaneTools,
    private readonly options: ControlPlaneOptions,
    private readonly began: number,
    apiServerPort: number,
  ) {
    this.server = `https://127.0.0.1:${apiServerPort}`;
    this.caFile = join(dir, 'pki/ca.crt');
    this.kubeconfig = join(dir, 'admin.kubeconfig');
    this.tls = {
      ca: readFileSync(this.caFile),
      cert: readFileSync(join(dir, 'pki/admin.crt')),
      key: readFileSync(join(dir, 'pki/admin.key')),
    };
    this.clientEnv = {
      PATH: process.env.PATH ?? '',
      HOME: join(dir, 'home'),
      KUBECONFIG: this.kubeconfig,
      KUBECACHEDIR: join(dir, 'cache/kube'),
      HELM_CACHE_HOME: join(dir, 'cache/helm'),
      HELM_CONFIG_HOME: join(dir, 'helm/config'),
      HELM_DATA_HOME: join(dir, 'helm/data'),
    };
  }

  /** Calls the API server as admin; resolves with the parsed JSON answer, rejects on HTTP >= 300. */
  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<T> {
    const reply = await this.call(method, path, body, contentType);
    if (reply.status >= 300) throw new Error(`${method} ${path}: HTTP ${reply.status} ${reply.body}`);
    return JSON.parse(reply.body) as T;
  }

  /** Runs the built kubectl as admin (KUBECONFIG; `--kubeconfig` overrides it), with its cache in the dir. */
  kubectl(args: string[], options: RunOptions = {}): Promise<string> {
    return run(this.tools.kubectl, args, this.clientEnv, options);
  }

  /** Runs the built helm as admin, with its cache, config and data in the dir. Default timeout 120 s. */
  helm(args: string[], options: RunOptions = {}): Promise<string> {
    return run(this.tools.helm, args, this.clientEnv, { timeoutMs: 120_000, ...options });
  }

  /**
   * A token (1 h) of a new ServiceAccount `name` in the default namespace that may only get, list and watch Nodes,
   * as the chart's dashboard: its own ClusterRole and binding, both named `name`.
   */
  async nodeReaderToken(name: string): Promise<string> {
    await this.kubectl(['create', 'serviceaccount', name, '-n', 'default']);
    await this.kubectl(['create', 'clusterrole', name, '--verb=get,list,watch', '--resource=nodes']);
    await this.kubectl([
      'create',
      'clusterrolebinding',
      name,
      `--clusterrole=${name}`,
      `--serviceaccount=default:${name}`,
    ]);
    return (await this.kubectl(['create', 'token', name, '-n', 'default', '--duration=1h'])).trim();
  }

  /** Writes a kubeconfig that authenticates with a bearer token (e.g. from `kubectl create token`); its path. */
  kubeconfigFor(token: string): string {
    const path = join(
      this.dir,
      `token-${createHash('sha256').update(token).digest('hex').slice(0, 12)}.kubeconfig`,
    );
    writeKubeconfig(path, this.server, this.caFile, { token });
    return path;
  }

  /** Creates a fake Node: one kwok manages (default), or with managed: false one whose status is the test's. */
  async createNode(name: string, options: NodeOptions = {}): Promise<void> {
    const n = this.nextNodeIp++;
    const node = nodeObject(name, options.internalIP ?? `172.18.${n >> 8}.${n & 255}`, options);
    await this.request('POST', '/api/v1/nodes', node);
  }

  /** Waits until the named Nodes (default: every Node) have Ready=True and no not-ready taint. */
  async waitForNodesReady(names?: readonly string[], timeoutMs = this.timeoutMs): Promise<void> {
    const what = `Nodes Ready (${names?.join(', ') ?? 'all'})`;
    await this.waitFor(what, this.component('kwok'), timeoutMs, async () => {
      const { items } = await this.request<{ items: NodeObject[] }>('GET', '/api/v1/nodes');
      // Ready, and rid of the not-ready taint the API server puts on every new Node: the node lifecycle controller
      // lifts it a moment later (slower on a busy machine), and until then Pods that do not tolerate it wait.
      const ready = (node: NodeObject) =>
        (node.status?.conditions ?? []).some(
          (condition: { type: string; status: string }) =>
            condition.type === 'Ready' && condition.status === 'True',
        ) &&
        !(node.spec?.taints ?? []).some(
          (taint: { key: string }) => taint.key === 'node.kubernetes.io/not-ready',
        );
      const wanted = names ?? items.map((node) => node.metadata.name as string);
      const missing = wanted.filter(
        (name) => !items.some((node) => node.metadata.name === name && ready(node)),
      );
      return missing.length === 0 || `not Ready yet: ${missing.join(', ')}`;
    });
  }

  /** The processes it started: name, pid, start time and log file. */
  get processes(): readonly ComponentRecord[] {
    return this.components.map(({ program: _program, ...record }) => record);
  }

  /**
   * Stops every process it started (SIGTERM, SIGKILL after 5 s), waits for them to exit and removes the dir
   * unless keepDir. Safe to call more than once.
   */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      await Promise.all(this.components.map((component) => component.program.stop('SIGTERM', stopGraceMs)));
      if (!this.options.keepDir) rmSync(this.dir, { recursive: true, force: true });
    })();
    return this.stopped;
  }

  /** Starts the components in order, each once what it needs answers; called once, by startControlPlane. */
  async start(ports: Ports, setpriv: string | undefined): Promise<void> {
    this.mark('certificates');
    const pki = (name: string) => join(this.dir, 'pki', name);
    const etcdUrl = `http://127.0.0.1:${ports.etcdClient}`;
    const peerUrl = `http://127.0.0.1:${ports.etcdPeer}`;
    const spawnOptions = {
      dir: this.dir,
      env: { PATH: process.env.PATH ?? '', HOME: join(this.dir, 'home') },
      persistent: this.options.persistent ?? false,
      setpriv,
    };
    const startComponent = (name: keyof ControlPlaneTools, args: string[]) => {
      const component = spawnComponent(name, this.tools[name], args, spawnOptions);
      this.components.push(component);
      const state: ControlPlaneState = {
        server: this.server,
        kubeconfig: this.kubeconfig,
        caFile: this.caFile,
        components: [...this.processes],
      };
      writeFileSync(join(this.dir, stateFile), `${JSON.stringify(state, null, 2)}\n`);
      return component;
    };

    const etcd = startComponent('etcd', [
      '--name=default',
      `--data-dir=${join(this.dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=default=${peerUrl}`,
      // A throwaway store: fsync only costs time.
      '--unsafe-no-fsync',
    ]);
    await this.waitFor('etcd healthy', etcd, this.timeoutMs, async () => {
      const reply = await send(`${etcdUrl}/health`, {});
      return reply.body.includes('"health":"true"') || `HTTP ${reply.status} ${reply.body}`;
    });
    this.mark('etcd healthy');

    const apiServer = startComponent('kube-apiserver', [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${ports.apiServer}`,
      // No kubelets and no other API servers: the `kubernetes` Service keeps no endpoints.
      '--endpoint-reconciler-type=none',
      `--service-cluster-ip-range=${serviceRange}`,
      `--tls-cert-file=${pki('apiserver.crt')}`,
      `--tls-private-key-file=${pki('apiserver.key')}`,
      `--client-ca-file=${pki('ca.crt')}`,
      `--requestheader-client-ca-file=${pki('front-proxy-ca.crt')}`,
      '--requestheader-allowed-names=front-proxy-client',
      '--requestheader-username-headers=X-Remote-User',
      '--requestheader-group-headers=X-Remote-Group',
      '--requestheader-extra-headers-prefix=X-Remote-Extra-',
      `--proxy-client-cert-file=${pki('front-proxy-client.crt')}`,
      `--proxy-client-key-file=${pki('front-proxy-client.key')}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki('service-account.pub')}`,
      `--service-account-signing-key-file=${pki('service-account.key')}`,
      '--authorization-mode=RBAC',
      // The agent's Pod is privileged.
      '--allow-privileged=true',
      '--profiling=false',
    ]);
    await this.waitFor('kube-apiserver /readyz', apiServer, this.timeoutMs, async () => {
      const reply = await this.call('GET', '/readyz');
      const failing = reply.body.split('\n').filter((line) => line.startsWith('[-]'));
      return reply.status === 200 || `HTTP ${reply.status} ${failing.join(' ')}`;
    });
    this.mark('kube-apiserver ready');

    // Both also check client certificates and front-proxy headers on their own ports, hence the CA files.
    const clientAuth = (name: string) => [
      `--kubeconfig=${join(this.dir, `${name}.kubeconfig`)}`,
      `--authentication-kubeconfig=${join(this.dir, `${name}.kubeconfig`)}`,
      `--authorization-kubeconfig=${join(this.dir, `${name}.kubeconfig`)}`,
      `--client-ca-file=${pki('ca.crt')}`,
      `--requestheader-client-ca-file=${pki('front-proxy-ca.crt')}`,
      '--bind-address=127.0.0.1',
      `--cert-dir=${join(this.dir, name)}`,
      '--leader-elect=false',
    ];
    const controllerManager = startComponent('kube-controller-manager', [
      ...clientAuth('controller-manager'),
      `--secure-port=${ports.controllerManager}`,
      '--controllers=*',
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${pki('service-account.key')}`,
      // Published as the kube-root-ca.crt ConfigMap in every namespace, which projected tokens mount.
      `--root-ca-file=${pki('ca.crt')}`,
      `--cluster-signing-cert-file=${pki('ca.crt')}`,
      `--cluster-signing-key-file=${pki('ca.key')}`,
      '--allocate-node-cidrs=false',
      // Nothing renews an unmanaged Node's Lease or heartbeat: after the default 50 s the node lifecycle
      // controller would set all its conditions to Unknown, whatever a test had patched in.
      '--node-monitor-grace-period=8760h',
    ]);
    const scheduler = startComponent('kube-scheduler', [
      ...clientAuth('scheduler'),
      `--secure-port=${ports.scheduler}`,
    ]);
    // Before anything is installed: kwok picks up a Pod that already exists only when the Pod next changes.
    // kwok's default Pod stages (found by experiment with v0.7.0) leave alone a Running Pod whose status a client
    // then patches to Succeeded or Failed with terminated containers: pod-ready only matches a Pod without an IP,
    // pod-complete only one a Job owns. Even when pod-ready matches again (the IP patched away), the API server
    // refuses to turn a terminated container of a restartPolicy Never Pod back to running. So a helm test Pod
    // that a test completes stays completed, and kwok needs no Stage configuration.
    startComponent('kwok', [
      `--kubeconfig=${this.kubeconfig}`,
      '--manage-all-nodes=false',
      `--manage-nodes-with-annotation-selector=${kwokAnnotation.key}=${kwokAnnotation.value}`,
      `--cidr=${podCidr}`,
      '--node-ip=127.0.0.1',
    ]);
    const healthy = async (port: number) => {
      const reply = await send(`https://127.0.0.1:${port}/healthz`, { rejectUnauthorized: false });
      return reply.status === 200 || `HTTP ${reply.status} ${reply.body}`;
    };
    await Promise.all([
      this.waitFor('kube-controller-manager /healthz', controllerManager, this.timeoutMs, () =>
        healthy(ports.controllerManager),
      ),
      this.waitFor('kube-scheduler /healthz', scheduler, this.timeoutMs, () => healthy(ports.scheduler)),
    ]);
    this.mark('controller-manager and scheduler healthy');

    // Made by the controller manager's serviceaccount controller once it runs; Pods are refused before it exists.
    await this.waitFor('the default ServiceAccount', controllerManager, this.timeoutMs, async () => {
      const reply = await this.call('GET', '/api/v1/namespaces/default/serviceaccounts/default');
      return reply.status === 200 || `HTTP ${reply.status}`;
    });
    this.mark('default ServiceAccount');

    const names = Array.from({ length: this.options.nodes ?? 0 }, (_, i) => `node-${i + 1}`);
    for (const [i, name] of names.entries()) {
      await this.createNode(name, {
        zone: `zone-${'abc'[i % 3]}`,
        role: 'worker',
        instanceType: 'standard-4',
      });
    }
    if (names.length > 0) {
      await this.waitForNodesReady(names);
      this.mark('Nodes Ready');
    }
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? 60_000;
  }

  private mark(step: string): void {
    this.timings[step] = Math.round(performance.now() - this.began) / 1000;
  }

  private component(name: string): Component {
    const component = this.components.find((c) => c.name === name);
    if (!component) throw new Error(`${name} was not started`);
    return component;
  }

  private call(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<Reply> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers = text === undefined ? {} : { 'content-type': contentType };
    return send(`${this.server}${path}`, { ...this.tls, method, headers }, text);
  }

  /**
   * Polls probe (true, or a word on what it saw) until true. Fails at once with the end of its log when a
   * component has exited, and after timeoutMs with the end of the log of the component that should have acted.
   */
  private async waitFor(
    what: string,
    blame: Component,
    timeoutMs: number,
    probe: () => Promise<true | string>,
  ): Promise<void> {
    const end = Date.now() + timeoutMs;
    let seen = 'no answer yet';
    for (;;) {
      const dead = this.components.find(
        (c) => c.program.child.exitCode !== null || c.program.child.signalCode !== null,
      );
      if (dead) {
        const how = dead.program.child.signalCode ?? `exit ${dead.program.child.exitCode}`;
        throw new Error(
          `${dead.name} exited (${how}) while waiting for ${what}; the end of ${dead.log}:\n${logTail(dead.log)}`,
        );
      }
      try {
        const result = await probe();
        if (result === true) return;
        seen = result;
      } catch (error) {
        seen = error instanceof Error ? error.message : String(error);
      }
      if (Date.now() >= end) {
        throw new Error(
          `no ${what} within ${timeoutMs / 1000} s (last seen: ${seen}); the end of ${blame.log}:\n${logTail(blame.log)}`,
        );
      }
      await sleep(100);
    }
  }
}

/**
 * Starts a control plane: certificates and kubeconfigs, then etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler and kwok on free loopback ports, waiting for each in turn; then options.nodes fake Nodes.
 * On failure it stops what it started and rejects with the end of the failing component's log.
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const began = performance.now();
  const tools = findControlPlaneTools();
  if (!tools) {
    throw new Error(`missing some of ${controlPlaneTools.join(', ')}: run scripts/install-tools.sh`);
  }
  const setpriv = options.persistent ? undefined : findTool('setpriv');
  if (!options.persistent && !setpriv) throw new Error('setpriv (util-linux) is missing');
  let dir: string;
  if (options.dir) {
    dir = resolve(options.dir);
    if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`${dir} is not empty`);
    mkdirSync(dir, { recursive: true });
  } else {
    dir = mkdtempSync(join(tmpdir(), 'sss-cluster-'));
  }
  let controlPlane: ControlPlane | undefined;
  try {
    for (const sub of ['pki', 'home']) mkdirSync(join(dir, sub));
    const ports: Ports = {
      etcdClient: await freePort(),
      etcdPeer: await freePort(),
      apiServer: await freePort(),
      controllerManager: await freePort(),
      scheduler: await freePort(),
    };
    const certs = await createCertificates(join(dir, 'pki'), serviceIp);
    const server = `https://127.0.0.1:${ports.apiServer}`;
    writeKubeconfig(join(dir, 'admin.kubeconfig'), server, certs.ca.cert, certs.admin);
    writeKubeconfig(
      join(dir, 'controller-manager.kubeconfig'),
      server,
      certs.ca.cert,
      certs.controllerManager,
    );
    writeKubeconfig(join(dir, 'scheduler.kubeconfig'), server, certs.ca.cert, certs.scheduler);
    controlPlane = new ControlPlane(dir, tools, options, began, ports.apiServer);
    await controlPlane.start(ports, setpriv);
    return controlPlane;
  } catch (error) {
    // stop() ends what was started; the dir goes here too in case the failure came before the handle existed.
    await controlPlane?.stop();
    if (!options.keepDir) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The state another process recorded in dir, or undefined when there is none. */
export function readControlPlaneState(dir: string): ControlPlaneState | undefined {
  const path = join(dir, stateFile);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ControlPlaneState) : undefined;
}

/** Stops exactly the processes recorded in dir (see stopRecorded) and removes dir. */
export async function stopRecordedControlPlane(dir: string): Promise<void> {
  const state = readControlPlaneState(dir);
  if (state) await stopRecorded(state.components, stopGraceMs);
  rmSync(dir, { recursive: true, force: true });
}
