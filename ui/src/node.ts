// A Kubernetes Node in the words kubectl uses: its status badges (Ready, the problem conditions, cordoned), its
// taints, its age and its capacity.

import type { FrontendServerInfo, KubernetesNodeInfo, NodeProblemCondition, NodeTaint } from '@sss/protocol';
import type { MessageKey } from './messages';

export type ReadyBadge = 'Ready' | 'NotReady' | 'Unknown';
export type NodeBadge = ReadyBadge | NodeProblemCondition | 'SchedulingDisabled';

/** How a badge looks: `down` (solid, the node is out of service), `problem`, `caution`, `ok`. */
export type BadgeTone = 'ok' | 'caution' | 'problem' | 'down';

export const BADGE_LABELS: Record<NodeBadge, MessageKey> = {
  Ready: 'nodeReady',
  NotReady: 'nodeNotReady',
  Unknown: 'nodeUnknown',
  MemoryPressure: 'memoryPressure',
  DiskPressure: 'diskPressure',
  PIDPressure: 'pidPressure',
  NetworkUnavailable: 'networkUnavailable',
  SchedulingDisabled: 'schedulingDisabled',
};

export function readyBadge(node: Pick<KubernetesNodeInfo, 'ready'>): ReadyBadge {
  return node.ready === 'true' ? 'Ready' : node.ready === 'false' ? 'NotReady' : 'Unknown';
}

/** The Ready state first, then each active problem condition, then SchedulingDisabled when cordoned. */
export function nodeBadges(
  node: Pick<KubernetesNodeInfo, 'ready' | 'problems' | 'unschedulable'>,
): NodeBadge[] {
  const badges: NodeBadge[] = [readyBadge(node), ...node.problems];
  if (node.unschedulable) badges.push('SchedulingDisabled');
  return badges;
}

export function badgeTone(badge: NodeBadge): BadgeTone {
  switch (badge) {
    case 'Ready':
      return 'ok';
    case 'NotReady':
    case 'Unknown':
      return 'down';
    case 'SchedulingDisabled':
      return 'caution';
    default:
      return 'problem';
  }
}

/** As kubectl describe prints a taint: `key=value:effect`, or `key:effect` without a value. */
export function taintText(taint: NodeTaint): string {
  return taint.value ? `${taint.key}=${taint.value}:${taint.effect}` : `${taint.key}:${taint.effect}`;
}

/** Seconds since the Node was created (Unix seconds both), never negative. */
export function nodeAge(createdAt: number, now: number): number {
  return Math.max(0, now - createdAt);
}

/** What a server offers: the Node's capacity when it is one, else what its agent last reported. */
export function capacityOf(info: Pick<FrontendServerInfo, 'cpu' | 'memory' | 'kubernetes'>): {
  cpu: number;
  memory: number;
  pods?: number;
} {
  return info.kubernetes
    ? { ...info.kubernetes.capacity }
    : { cpu: info.cpu.cores, memory: info.memory.total };
}
