// A server's state from the dashboard's flags: its agent online, offline, or missing (a Kubernetes Node whose
// agent does not report), and, for a Node, whether it is Ready.

import type { FrontendServerInfo } from '@sss/protocol';
import type { MessageKey } from './messages';

export type AgentState = 'online' | 'offline' | 'missing';

/** What each state is called on screen (the status pill, the table's status dot). */
export const STATE_LABELS: Record<AgentState, MessageKey> = {
  online: 'online',
  offline: 'offline',
  missing: 'agentMissing',
};

export function agentState(info: Pick<FrontendServerInfo, 'online' | 'agentMissing'>): AgentState {
  if (info.agentMissing === true) return 'missing';
  // A message without `online` (an older dashboard) is a live report.
  return info.online !== false ? 'online' : 'offline';
}

/** A Node's agent that never reported: the figures are placeholders (zeros, the Node's capacity), not measurements. */
export function neverReported(info: Pick<FrontendServerInfo, 'agentMissing' | 'lastSeen'>): boolean {
  return info.agentMissing === true && info.lastSeen === 0;
}

/** The Node's Ready condition is False or Unknown. A server outside Kubernetes never is. */
export function isNotReady(info: Pick<FrontendServerInfo, 'kubernetes'>): boolean {
  return info.kubernetes !== undefined && info.kubernetes.ready !== 'true';
}

const STATE_RANK: Record<AgentState, number> = { online: 2, offline: 1, missing: 0 };

/** Healthier is higher: online and Ready first, a missing agent on a NotReady Node last. */
export function statusRank(info: Pick<FrontendServerInfo, 'online' | 'agentMissing' | 'kubernetes'>): number {
  return STATE_RANK[agentState(info)] * 2 + (isNotReady(info) ? 0 : 1);
}
