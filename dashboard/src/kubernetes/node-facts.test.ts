import { describe, expect, it } from 'vitest';
import { type NodeJson, nodeFacts, quantity, sameFacts } from './node-facts';

type Condition = NonNullable<NonNullable<NodeJson['status']>['conditions']>[number];

/** A Node as the API server sends it, trimmed to what matters plus noise we drop (images, heartbeats). */
function node(
  overrides: { spec?: NodeJson['spec']; conditions?: Condition[]; labels?: Record<string, string> } = {},
): NodeJson {
  // Not typed as NodeJson directly: the noise is not in that type, and an object literal may not carry it.
  const json = {
    metadata: {
      name: 'worker-1',
      creationTimestamp: '2026-11-30T10:00:00Z',
      labels: {
        'kubernetes.io/os': 'linux',
        'node-role.kubernetes.io/worker': '',
        'node-role.kubernetes.io/ingress': 'true',
        'topology.kubernetes.io/zone': 'eu-central-1a',
        'topology.kubernetes.io/region': 'eu-central-1',
        'node.kubernetes.io/instance-type': 'm6i.large',
        ...overrides.labels,
      },
      managedFields: [{ manager: 'kubelet', operation: 'Update', time: '2026-12-01T10:00:00Z' }],
    },
    spec: overrides.spec ?? { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] },
    status: {
      capacity: { cpu: '4', memory: '16318460Ki', pods: '110', 'ephemeral-storage': '100Gi' },
      addresses: [
        { type: 'Hostname', address: 'worker-1' },
        { type: 'InternalIP', address: '10.0.0.11' },
        { type: 'InternalIP', address: 'fd00::11' },
      ],
      conditions: overrides.conditions ?? [
        { type: 'MemoryPressure', status: 'False' },
        { type: 'DiskPressure', status: 'True', reason: 'KubeletHasDiskPressure' },
        { type: 'PIDPressure', status: 'False' },
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          lastTransitionTime: '2026-11-30T10:01:00Z',
          lastHeartbeatTime: '2026-12-01T10:00:00Z',
        },
      ],
      nodeInfo: {
        kubeletVersion: 'v1.34.4',
        containerRuntimeVersion: 'containerd://2.1.4',
        osImage: 'Ubuntu 24.04.3 LTS',
        kernelVersion: '6.8.0-88-generic',
        architecture: 'amd64',
        operatingSystem: 'linux',
        bootID: '',
        machineID: '',
        systemUUID: '',
        kubeProxyVersion: '',
      },
      images: [{ names: ['registry.k8s.io/pause:3.10'], sizeBytes: 320000 }],
    },
  };
  return json;
}

describe('quantity', () => {
  it('reads Kubernetes quantities', () => {
    expect(quantity('4')).toBe(4);
    expect(quantity('3500m')).toBe(3.5);
    expect(quantity('16Gi')).toBe(16 * 2 ** 30);
    expect(quantity('16318460Ki')).toBe(16318460 * 1024);
    expect(quantity('2G')).toBe(2e9);
    expect(quantity('1e9')).toBe(1e9);
    expect(quantity('110')).toBe(110);
  });

  it('gives 0 for what it cannot read', () => {
    expect(quantity(undefined)).toBe(0);
    expect(quantity('')).toBe(0);
    expect(quantity('lots')).toBe(0);
    expect(quantity('-1')).toBe(0);
    expect(quantity('4Xi')).toBe(0);
  });
});

describe('nodeFacts', () => {
  it('keeps the facts a user looks at, and nothing else', () => {
    expect(nodeFacts(node())).toEqual({
      nodeName: 'worker-1',
      ready: 'true',
      readySince: Date.parse('2026-11-30T10:01:00Z') / 1000,
      problems: ['DiskPressure'],
      unschedulable: false,
      roles: ['ingress', 'worker'],
      zone: 'eu-central-1a',
      region: 'eu-central-1',
      instanceType: 'm6i.large',
      kubeletVersion: 'v1.34.4',
      containerRuntime: 'containerd://2.1.4',
      osImage: 'Ubuntu 24.04.3 LTS',
      kernelVersion: '6.8.0-88-generic',
      architecture: 'amd64',
      internalIP: '10.0.0.11',
      taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }],
      createdAt: Date.parse('2026-11-30T10:00:00Z') / 1000,
      capacity: { cpu: 4, memory: 16318460 * 1024, pods: 110 },
    });
  });

  it('says why a node is not Ready, and that a cordoned node is unschedulable', () => {
    const facts = nodeFacts(
      node({
        spec: {
          unschedulable: true,
          taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }],
        },
        conditions: [
          { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'PLEG is not healthy' },
          { type: 'MemoryPressure', status: 'True' },
          { type: 'PIDPressure', status: 'True' },
          { type: 'NetworkUnavailable', status: 'True' },
        ],
      }),
    );
    expect(facts.ready).toBe('false');
    expect(facts.readyReason).toBe('KubeletNotReady: PLEG is not healthy');
    expect(facts.problems).toEqual(['MemoryPressure', 'PIDPressure', 'NetworkUnavailable']);
    expect(facts.unschedulable).toBe(true);
    expect(facts.taints).toEqual([{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]);
  });

  it('leaves out a transition time the API server holds as null', () => {
    const patched = nodeFacts(
      node({
        conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady', lastTransitionTime: null }],
      }),
    );
    expect(patched.ready).toBe('false');
    expect(patched.readySince).toBeUndefined();
  });

  it('treats a Node without a Ready condition as unknown, and an Unknown one too', () => {
    expect(nodeFacts(node({ conditions: [] })).ready).toBe('unknown');
    const lost = nodeFacts(
      node({ conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }] }),
    );
    expect(lost.ready).toBe('unknown');
    expect(lost.readyReason).toBe('NodeStatusUnknown');
  });

  it('reads the legacy kubernetes.io/role label and bounds what a strange Node can add', () => {
    const labels: Record<string, string> = { 'kubernetes.io/role': 'master' };
    for (let i = 0; i < 40; i++) labels[`node-role.kubernetes.io/r${String(i).padStart(2, '0')}`] = '';
    const facts = nodeFacts(node({ labels, spec: { taints: [] } }));
    expect(facts.roles).toHaveLength(16);
    expect(facts.roles.slice(0, 3)).toEqual(['ingress', 'master', 'r00']);
  });

  it('ignores a kubelet heartbeat: the facts stay the same', () => {
    const later = node();
    const ready = later.status?.conditions?.find((c) => c.type === 'Ready');
    if (ready) Object.assign(ready, { lastHeartbeatTime: '2026-12-01T10:00:40Z' });
    expect(sameFacts(nodeFacts(node()), nodeFacts(later))).toBe(true);
    expect(sameFacts(nodeFacts(node()), nodeFacts(node({ spec: { unschedulable: true } })))).toBe(false);
  });
});
