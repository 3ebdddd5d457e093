// Node objects for fake Nodes: ones kwok plays the kubelet of, and unmanaged ones whose status is whatever a test
// last wrote to it.

/** The annotation kwok is started to select Nodes by (--manage-nodes-with-annotation-selector). */
export const kwokAnnotation = { key: 'kwok.x-k8s.io/node', value: 'fake' } as const;

export interface NodeInfo {
  kubeletVersion: string;
  containerRuntimeVersion: string;
  osImage: string;
  kernelVersion: string;
  architecture: string;
  operatingSystem: string;
}

export interface NodeOptions {
  /**
   * false: kwok leaves the Node alone. It is created Ready with no pressure and keeps whatever conditions a test
   * patches in later through the status subresource (kwok resets a Node it manages to Ready at once and on every
   * heartbeat). No Pod on it ever leaves Pending. Default true.
   */
  managed?: boolean;
  /** topology.kubernetes.io/zone */
  zone?: string;
  /** node-role.kubernetes.io/<role>: "" */
  role?: string;
  /** node.kubernetes.io/instance-type */
  instanceType?: string;
  /** More labels; they win over the ones above. */
  labels?: Record<string, string>;
  /** The InternalIP address; default a distinct 172.18.0.x per Node. */
  internalIP?: string;
  capacity?: { cpu?: string; memory?: string; pods?: string };
  nodeInfo?: Partial<NodeInfo>;
}

// biome-ignore lint/suspicious/noExplicitAny: a Node is open-ended JSON for the API server.
export type NodeObject = Record<string, any>;

/** The Node to create, status included: the API server keeps the status of a Node it creates. */
export function nodeObject(name: string, internalIP: string, options: NodeOptions): NodeObject {
  const nodeInfo: NodeInfo = {
    kubeletVersion: 'v1.34.4',
    containerRuntimeVersion: 'containerd://2.1.4',
    osImage: 'Debian GNU/Linux 12 (bookworm)',
    kernelVersion: '6.1.0-40-amd64',
    architecture: 'amd64',
    operatingSystem: 'linux',
    ...options.nodeInfo,
  };
  const capacity = { cpu: '4', memory: '16336452Ki', pods: '110', ...options.capacity };
  const labels: Record<string, string> = {
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': nodeInfo.operatingSystem,
    'kubernetes.io/arch': nodeInfo.architecture,
    ...(options.zone ? { 'topology.kubernetes.io/zone': options.zone } : {}),
    ...(options.role ? { [`node-role.kubernetes.io/${options.role}`]: '' } : {}),
    ...(options.instanceType ? { 'node.kubernetes.io/instance-type': options.instanceType } : {}),
    ...options.labels,
  };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels,
      // No taints: kwok's sample Node has a NoSchedule taint that Pods without a toleration never get past.
      annotations: options.managed === false ? {} : { [kwokAnnotation.key]: kwokAnnotation.value },
    },
    spec: {},
    status: {
      addresses: [
        { type: 'InternalIP', address: internalIP },
        { type: 'Hostname', address: name },
      ],
      capacity,
      allocatable: capacity,
      nodeInfo,
      ...(options.managed === false ? { conditions: healthyConditions() } : {}),
    },
  };
}

/** The status of a healthy Node as a kubelet reports it: Ready, and no pressure. */
export function healthyConditions(now = new Date()) {
  const time = now.toISOString().replace(/\.\d+Z$/, 'Z');
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: time,
    lastTransitionTime: time,
  });
  return [
    condition(
      'MemoryPressure',
      'False',
      'KubeletHasSufficientMemory',
      'kubelet has sufficient memory available',
    ),
    condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}
