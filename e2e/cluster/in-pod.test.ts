// Tier 5: the dashboard as a pod runs it, against the real API server: no KUBECONFIG, only the Service's address in
// KUBERNETES_SERVICE_HOST/PORT and the ServiceAccount's token and CA at /var/run/secrets/kubernetes.io/serviceaccount.
// That folder is a bind mount in a private mount namespace of the dashboard's own (on a tmpfs over /run there), so
// no other process on this machine sees it; the token is one of a ServiceAccount that may only get, list and watch
// Nodes, as the chart's. The dashboard then lists and watches Nodes without the client library (a pod needs none).
import { existsSync } from 'node:fs';
import type { FrontendServerInfo } from '@sss/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dashboard, startDashboard, stopAll } from '../support/processes';
import { findTool, inCI } from '../support/tools';
import { eventually } from './assertions';
import { type ControlPlane, findControlPlaneTools, startControlPlane } from './control-plane';
import { podServiceAccount, SERVICE_ACCOUNT_DIR } from './pod-service-account';

const tools = findControlPlaneTools();
const unshare = findTool('unshare');
const privileged = process.getuid?.() === 0;
if (!privileged) {
  const message = 'a private mount namespace needs root';
  if (inCI) throw new Error(`${message} (CI=true: a missing capability is a failure)`);
  console.warn(`skipping the in-pod dashboard test: ${message}`);
}

describe.skipIf(!tools || !unshare || !privileged)('the dashboard in a pod, with its ServiceAccount', () => {
  let cp: ControlPlane;
  let dashboard: Dashboard;
  let removeServiceAccount: (() => void) | undefined;

  const servers = async () =>
    (await (await fetch(`${dashboard.url}/api/servers`)).json()) as FrontendServerInfo[];

  beforeAll(async () => {
    cp = await startControlPlane({ nodes: 2 });
    const token = await cp.nodeReaderToken('sss-dashboard');
    const pod = podServiceAccount(cp, token, unshare ?? 'unshare');
    removeServiceAccount = pod.remove;
    dashboard = await startDashboard(
      { SSS_KUBERNETES: 'auto', SSS_ID_POLICY: 'nodes', ...pod.env },
      [],
      pod.launcher,
    );
  }, 120_000);

  afterAll(async () => {
    await stopAll();
    await cp?.stop();
    removeServiceAccount?.();
  }, 30_000);

  it('turns Kubernetes on by itself and lists every Node as a server without an agent', async () => {
    // The namespace's mounts are the dashboard's alone.
    expect(existsSync(`${SERVICE_ACCOUNT_DIR}/token`)).toBe(false);
    const watching = await dashboard.waitForLog((l) => l.msg === 'kubernetes: watching nodes', 10_000);
    expect(watching.server).toBe(`https://127.0.0.1:${new URL(cp.server).port}`);
    await eventually(async () => {
      const list = await servers();
      expect(list.map((s) => [s.serverId, s.agentMissing]).sort()).toEqual([
        ['node-1', true],
        ['node-2', true],
      ]);
    }, 20_000);
  });

  it('follows the Nodes through its watch: a cordon and a new Node appear, and no request failed', async () => {
    await cp.kubectl(['cordon', 'node-1']);
    await cp.createNode('node-3');
    await eventually(async () => {
      const list = await servers();
      expect(list.find((s) => s.serverId === 'node-1')?.kubernetes?.unschedulable).toBe(true);
      expect(list.map((s) => s.serverId).sort()).toEqual(['node-1', 'node-2', 'node-3']);
    }, 10_000);
    expect(dashboard.lines.some((l) => (l.level ?? 0) >= 40 && String(l.msg).startsWith('kubernetes:'))).toBe(
      false,
    );
  });
});
