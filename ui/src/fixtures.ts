// Servers and Kubernetes Nodes for the ui's unit tests.

import type { FrontendServerInfo, KubernetesNodeInfo } from '@sss/protocol';
import { seedExample } from '@sss/protocol/fixtures';

const GiB = 1024 ** 3;

export function server(
  id: string,
  name: string,
  extra: Partial<FrontendServerInfo> = {},
): FrontendServerInfo {
  return {
    ...seedExample(),
    serverId: id,
    serverName: name,
    online: true,
    lastSeen: 1_700_000_000,
    ...extra,
  };
}

/** A Ready worker Node in eu-west-1a, changed by `extra`. */
export function kubeNode(name: string, extra: Partial<KubernetesNodeInfo> = {}): KubernetesNodeInfo {
  return {
    nodeName: name,
    ready: 'true',
    readySince: 1_699_000_000,
    problems: [],
    unschedulable: false,
    roles: ['worker'],
    zone: 'eu-west-1a',
    region: 'eu-west-1',
    instanceType: 'm6i.xlarge',
    kubeletVersion: 'v1.33.1',
    containerRuntime: 'containerd://2.1.4',
    osImage: 'Ubuntu 24.04.2 LTS',
    kernelVersion: '6.8.0-1029-aws',
    architecture: 'amd64',
    internalIP: '10.0.1.17',
    taints: [],
    createdAt: 1_690_000_000,
    capacity: { cpu: 4, memory: 16 * GiB, pods: 110 },
    ...extra,
  };
}

/** A server that is a Kubernetes Node (its id is the Node's name). */
export function nodeServer(
  id: string,
  node: Partial<KubernetesNodeInfo> = {},
  extra: Partial<FrontendServerInfo> = {},
): FrontendServerInfo {
  return server(id, id, { kubernetes: kubeNode(id, node), ...extra });
}
