import type { NodeWatcher } from './node-watcher';

/**
 * Why an agent that had the right secret was refused, the `reason` of sss_agents_refused_total: SSS_ID_POLICY=nodes
 * (not_a_node, nodes_not_listed) or SSS_MAX_SERVERS (server_limit).
 */
export const REFUSE_REASONS = ['not_a_node', 'nodes_not_listed', 'server_limit'] as const;
export type RefuseReason = (typeof REFUSE_REASONS)[number];

/**
 * SSS_ID_POLICY=nodes: only the name of a Node may report, so a pod cannot pose as another node's agent by choosing
 * an id. Before the first complete list of Nodes nothing can be decided and the agent is asked to retry; after it,
 * the last known Nodes decide, also while the API server is unreachable.
 */
export function nodesOnly(watcher: NodeWatcher): (serverId: string) => RefuseReason | undefined {
  return (serverId) => {
    if (!watcher.synced) return 'nodes_not_listed';
    return watcher.has(serverId) ? undefined : 'not_a_node';
  };
}
