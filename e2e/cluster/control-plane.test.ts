// Tier 5 (DESIGN section 9): the local control plane the cluster tests run against. Real etcd, API server,
// controllers and scheduler; kwok plays the kubelet of the fake Nodes.
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRunning } from './components';
import { type ControlPlane, findControlPlaneTools, startControlPlane } from './control-plane';
import type { NodeObject } from './nodes';

const tools = findControlPlaneTools();
const nodeNames = ['node-1', 'node-2', 'node-3'];

// biome-ignore lint/suspicious/noExplicitAny: Pods and DaemonSets are open-ended JSON.
type K8sObject = Record<string, any>;

const condition = (object: K8sObject, type: string) =>
  (object.status?.conditions ?? []).find((c: { type: string }) => c.type === type)?.status as
    | string
    | undefined;

describe.skipIf(!tools)('a local control plane', () => {
  let cluster: ControlPlane | undefined;
  const started = () => {
    if (!cluster) throw new Error('the control plane did not start');
    return cluster;
  };

  beforeAll(async () => {
    cluster = await startControlPlane({ nodes: 3 });
  }, 120_000);
  afterAll(() => cluster?.stop(), 30_000);

  it('is Kubernetes v1.34.4, and the built kubectl and helm reach it', async () => {
    const version = await started().request<{ gitVersion: string }>('GET', '/version');
    expect(version.gitVersion).toBe('v1.34.4');
    const client = JSON.parse(await started().kubectl(['version', '--output=json']));
    expect(client.serverVersion.gitVersion).toBe('v1.34.4');
    expect(client.clientVersion.gitVersion).toBe('v1.34.4');
    expect(JSON.parse(await started().helm(['list', '--all-namespaces', '--output=json']))).toEqual([]);
  });

  it('has three Ready fake Nodes that carry the given labels and node info', async () => {
    const { items } = await started().request<{ items: NodeObject[] }>('GET', '/api/v1/nodes');
    expect(items.map((node) => node.metadata.name).sort()).toEqual(nodeNames);
    for (const node of items) {
      expect(condition(node, 'Ready')).toBe('True');
      expect(node.spec.taints ?? []).toEqual([]);
      expect(node.metadata.labels).toMatchObject({
        'kubernetes.io/os': 'linux',
        'node-role.kubernetes.io/worker': '',
        'node.kubernetes.io/instance-type': 'standard-4',
      });
      expect(node.status.nodeInfo).toMatchObject({ kubeletVersion: 'v1.34.4', architecture: 'amd64' });
      expect(node.status.capacity).toMatchObject({ cpu: '4', pods: '110' });
      expect(node.status.addresses).toContainEqual({ type: 'InternalIP', address: expect.any(String) });
    }
    const zones = items.map((node) => node.metadata.labels['topology.kubernetes.io/zone']);
    expect(zones.sort()).toEqual(['zone-a', 'zone-b', 'zone-c']);
  });

  it('issues ServiceAccount tokens that a client outside the cluster can use, and publishes the root CA', async () => {
    const token = (await started().kubectl(['create', 'token', 'default', '--duration=1h'])).trim();
    const review = JSON.parse(
      await started().kubectl([
        '--kubeconfig',
        started().kubeconfigFor(token),
        'auth',
        'whoami',
        '--output=json',
      ]),
    );
    expect(review.status.userInfo.username).toBe('system:serviceaccount:default:default');
    const ca = readFileSync(started().caFile, 'utf8');
    await expect
      .poll(
        () =>
          started().kubectl(['get', 'configmap', 'kube-root-ca.crt', '--output=jsonpath={.data.ca\\.crt}']),
        {
          timeout: 20_000,
        },
      )
      .toBe(ca);
  });

  it('schedules a DaemonSet Pod onto every Node, where kwok marks it Running', async () => {
    const daemonSet = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'everywhere', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'everywhere' } },
        template: {
          metadata: { labels: { app: 'everywhere' } },
          spec: { containers: [{ name: 'main', image: 'example.invalid/everywhere:1' }] },
        },
      },
    };
    await started().request('POST', '/apis/apps/v1/namespaces/default/daemonsets', daemonSet);
    const runningOn = async () => {
      const pods = await started().request<{ items: K8sObject[] }>(
        'GET',
        '/api/v1/namespaces/default/pods?labelSelector=app%3Deverywhere',
      );
      return pods.items
        .filter((pod) => pod.status.phase === 'Running')
        .map((pod) => pod.spec.nodeName as string)
        .sort();
    };
    await expect.poll(runningOn, { timeout: 30_000, interval: 250 }).toEqual(nodeNames);
  });

  // kwok writes a Pod's status only while one of its stages matches (the default pod-ready stage wants a Pod
  // without an IP), and never touches a Node it does not manage: both statuses stay what the client set, past
  // kwok's Node heartbeat of about 20 s.
  it('keeps a status a client sets: a Pod Succeeded, an unmanaged Node NotReady', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'one-shot', namespace: 'default' },
      spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'example.invalid/one-shot:1' }] },
    };
    const podPath = '/api/v1/namespaces/default/pods/one-shot';
    await started().request('POST', '/api/v1/namespaces/default/pods', pod);
    await expect
      .poll(async () => (await started().request<K8sObject>('GET', podPath)).status.phase, {
        timeout: 30_000,
      })
      .toBe('Running');
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const terminated = { exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now };
    await started().kubectl([
      ...['patch', 'pod', 'one-shot', '--subresource=status', '--type=merge', '--patch'],
      JSON.stringify({
        status: {
          phase: 'Succeeded',
          containerStatuses: [
            {
              name: 'main',
              image: pod.spec.containers[0]?.image,
              ready: false,
              restartCount: 0,
              state: { terminated },
            },
          ],
        },
      }),
    ]);

    await started().createNode('unmanaged-1', { managed: false, zone: 'zone-a' });
    await started().waitForNodesReady(['unmanaged-1'], 10_000);
    const notReady = {
      type: 'Ready',
      status: 'False',
      reason: 'KubeletNotReady',
      message: 'PLEG is not healthy',
    };
    const pressure = {
      type: 'MemoryPressure',
      status: 'True',
      reason: 'KubeletHasInsufficientMemory',
      message: '',
    };
    await started().kubectl([
      ...['patch', 'node', 'unmanaged-1', '--subresource=status', '--type=strategic', '--patch'],
      JSON.stringify({
        status: {
          conditions: [notReady, pressure].map((c) => ({
            ...c,
            lastHeartbeatTime: now,
            lastTransitionTime: now,
          })),
        },
      }),
    ]);

    for (const end = Date.now() + 25_000; Date.now() < end; await sleep(1_000)) {
      const [podNow, node] = await Promise.all([
        started().request<K8sObject>('GET', podPath),
        started().request<K8sObject>('GET', '/api/v1/nodes/unmanaged-1'),
      ]);
      expect(podNow.status.phase).toBe('Succeeded');
      expect(podNow.status.containerStatuses[0].state.terminated.exitCode).toBe(0);
      expect(condition(node, 'Ready')).toBe('False');
      expect(condition(node, 'MemoryPressure')).toBe('True');
    }
  }, 90_000);

  it('stops exactly what it started, and can be asked again', async () => {
    const processes = started().processes;
    expect(processes.map((p) => p.name)).toEqual([
      'etcd',
      'kube-apiserver',
      'kube-controller-manager',
      'kube-scheduler',
      'kwok',
    ]);
    expect(processes.filter(isRunning)).toHaveLength(5);
    await started().stop();
    expect(processes.filter(isRunning)).toEqual([]);
    expect(existsSync(started().dir)).toBe(false);
    await started().stop();
  }, 30_000);
});
