import {
  type ConditionStatus,
  type KubernetesNodeInfo,
  NODE_PROBLEM_CONDITIONS,
  type NodeProblemCondition,
} from '@sss/protocol';

/**
 * A Node as the API server sends it in JSON (a list page's item, a watch event's object), reduced to the fields
 * nodeFacts reads: everything else in the object is ignored. Every field may be missing from a strange Node.
 */
export interface NodeJson {
  metadata?: {
    name?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
  };
  spec?: {
    unschedulable?: boolean;
    taints?: { key: string; value?: string; effect: string }[];
  };
  status?: {
    conditions?: {
      type: string;
      status: string;
      reason?: string;
      message?: string;
      lastTransitionTime?: string | null;
    }[];
    nodeInfo?: {
      kubeletVersion?: string;
      containerRuntimeVersion?: string;
      osImage?: string;
      kernelVersion?: string;
      architecture?: string;
    };
    capacity?: Record<string, string>;
    addresses?: { type: string; address: string }[];
  };
}

const ROLE_LABEL_PREFIX = 'node-role.kubernetes.io/';
/** The older role label some distributions still set (kubectl shows both). */
const LEGACY_ROLE_LABEL = 'kubernetes.io/role';
/** Bounds on what one Node may contribute to a message, so a strange Node cannot bloat every frontend. */
const MAX_ROLES = 16;
const MAX_TAINTS = 32;
const MAX_TEXT = 256;

const BINARY_SUFFIXES: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL_SUFFIXES: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** A Kubernetes resource quantity ("4", "3500m", "16Gi", "1e9") as a number; 0 when absent or unreadable. */
export function quantity(value: string | undefined): number {
  const match = /^([+-]?[0-9.]+)(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/.exec(
    value?.trim() ?? '',
  );
  if (!match) return 0;
  const [, digits = '', exponent, suffix = ''] = match;
  const base = Number(digits + (exponent ?? ''));
  const factor = BINARY_SUFFIXES[suffix] ?? DECIMAL_SUFFIXES[suffix] ?? 1;
  const result = base * factor;
  return Number.isFinite(result) && result >= 0 ? result : 0;
}

function clip(text: string): string {
  return text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
}

/**
 * An RFC 3339 timestamp in seconds; a condition written without one (a status patch by hand) has null, which is no
 * time at all, not 1970.
 */
function seconds(time: string | null | undefined): number | undefined {
  if (!time) return undefined;
  const ms = new Date(time).getTime();
  return Number.isFinite(ms) && ms > 0 ? ms / 1000 : undefined;
}

function status(value: string | undefined): ConditionStatus {
  if (value === 'True') return 'true';
  if (value === 'False') return 'false';
  return 'unknown';
}

function rolesOf(labels: Record<string, string>): string[] {
  const roles = new Set<string>();
  for (const key of Object.keys(labels)) {
    if (key.startsWith(ROLE_LABEL_PREFIX) && key.length > ROLE_LABEL_PREFIX.length) {
      roles.add(clip(key.slice(ROLE_LABEL_PREFIX.length)));
    }
  }
  const legacy = labels[LEGACY_ROLE_LABEL];
  if (legacy) roles.add(clip(legacy));
  return [...roles].sort().slice(0, MAX_ROLES);
}

/**
 * The facts of a Node that the dashboard shows and pushes, and nothing else: the Node object itself (images,
 * heartbeat times, managed fields) is dropped, so 5,000 Nodes cost a few MiB and a kubelet's heartbeat, which
 * changes no fact, costs no push.
 */
export function nodeFacts(node: NodeJson): KubernetesNodeInfo {
  const labels = node.metadata?.labels ?? {};
  const conditions = node.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready');
  const readyStatus = status(ready?.status);
  const problems = NODE_PROBLEM_CONDITIONS.filter((type: NodeProblemCondition) =>
    conditions.some((c) => c.type === type && c.status === 'True'),
  );
  const info = node.status?.nodeInfo;
  const capacity = node.status?.capacity ?? {};
  const internalIP = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  const readySince = seconds(ready?.lastTransitionTime);
  const readyReason =
    readyStatus === 'true' ? undefined : [ready?.reason, ready?.message].filter(Boolean).join(': ');
  const zone = labels['topology.kubernetes.io/zone'];
  const region = labels['topology.kubernetes.io/region'];
  const instanceType = labels['node.kubernetes.io/instance-type'];
  return {
    nodeName: node.metadata?.name ?? '',
    ready: readyStatus,
    ...(readySince === undefined ? {} : { readySince }),
    ...(readyReason ? { readyReason: clip(readyReason) } : {}),
    problems,
    unschedulable: node.spec?.unschedulable === true,
    roles: rolesOf(labels),
    ...(zone ? { zone: clip(zone) } : {}),
    ...(region ? { region: clip(region) } : {}),
    ...(instanceType ? { instanceType: clip(instanceType) } : {}),
    kubeletVersion: clip(info?.kubeletVersion ?? ''),
    containerRuntime: clip(info?.containerRuntimeVersion ?? ''),
    osImage: clip(info?.osImage ?? ''),
    kernelVersion: clip(info?.kernelVersion ?? ''),
    architecture: clip(info?.architecture ?? ''),
    ...(internalIP ? { internalIP: clip(internalIP) } : {}),
    taints: (node.spec?.taints ?? []).slice(0, MAX_TAINTS).map((t) => ({
      key: clip(t.key),
      ...(t.value ? { value: clip(t.value) } : {}),
      effect: t.effect,
    })),
    createdAt: seconds(node.metadata?.creationTimestamp) ?? 0,
    capacity: {
      cpu: quantity(capacity.cpu),
      memory: quantity(capacity.memory),
      pods: quantity(capacity.pods),
    },
  };
}

/** True when two fact sets would look the same to a frontend (a heartbeat changes none of them). */
export function sameFacts(a: KubernetesNodeInfo, b: KubernetesNodeInfo): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
