// The shared cluster assertions (e2e/cluster/assertions.ts) against a kind cluster: real kubelets, the images
// built from the Dockerfiles, the chart installed with `helm install --wait`. scripts/kind-e2e.sh sets all that
// up, forwards a local port to the dashboard's Service and runs this file through e2e/kind/vitest.config.ts with
// the environment read below. Everything asserted lives in the shared file; this one only says where the cluster is.
import { execFile } from 'node:child_process';
import { beforeAll, describe } from 'vitest';
import { type ClusterUnderTest, clusterAssertions } from '../cluster/assertions';
import { type Kubectl, podsOf } from '../cluster/pod-env';

/** Where the cluster is, as scripts/kind-e2e.sh passes it; an error naming every variable that is unset. */
function clusterFromEnv(): { dashboardUrl: string; namespace: string } {
  const given = {
    KUBECONFIG: process.env.KUBECONFIG,
    SSS_KIND_DASHBOARD_URL: process.env.SSS_KIND_DASHBOARD_URL,
    SSS_KIND_NAMESPACE: process.env.SSS_KIND_NAMESPACE,
  };
  const { SSS_KIND_DASHBOARD_URL: dashboardUrl, SSS_KIND_NAMESPACE: namespace } = given;
  if (given.KUBECONFIG && dashboardUrl && namespace) return { dashboardUrl, namespace };
  const unset = Object.entries(given).filter(([, value]) => !value);
  throw new Error(
    `e2e/kind/kind.e2e.ts needs ${unset.map(([name]) => name).join(', ')}: it runs against the kind cluster ` +
      "that scripts/kind-e2e.sh sets up (that cluster's kubeconfig, http://127.0.0.1:<port> of a port-forward " +
      'to the dashboard, the namespace of the chart), so run scripts/kind-e2e.sh',
  );
}

const { dashboardUrl, namespace } = clusterFromEnv();

/** kubectl from PATH; KUBECONFIG comes with the environment. Rejects with kubectl's stderr. */
const kubectl: Kubectl = (args, input) =>
  new Promise((resolve, reject) => {
    const child = execFile(
      'kubectl',
      args,
      { timeout: 60_000, maxBuffer: 64 * 2 ** 20 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`kubectl ${args.join(' ')}: ${stderr.trim() || error.message}`));
        else resolve(stdout);
      },
    );
    child.stdin?.end(input);
  });

describe('the chart in a kind cluster', () => {
  let cut: ClusterUnderTest;

  beforeAll(async () => {
    const nodes = JSON.parse(await kubectl(['get', 'nodes', '-o', 'json'])) as {
      items: { metadata: { name: string } }[];
    };
    const names = nodes.items.map((n) => n.metadata.name).sort();
    // The assertions take every Node present now for one with an agent; the DaemonSet tolerates every taint,
    // so after `helm install --wait` each of them must run one.
    const agents = await podsOf(kubectl, namespace, 'app.kubernetes.io/component=agent');
    const running = new Set(agents.filter((p) => p.status.phase === 'Running').map((p) => p.spec.nodeName));
    const without = names.filter((name) => !running.has(name));
    if (without.length > 0) {
      throw new Error(`no running agent Pod in ${namespace} on ${without.join(', ')}`);
    }
    const secret = await kubectl([
      'get',
      'secret',
      'sss-auth',
      '-n',
      namespace,
      '-o',
      'jsonpath={.data.auth-secret}',
    ]);
    cut = {
      kubectl,
      dashboardUrl,
      secret: Buffer.from(secret.trim(), 'base64').toString(),
      nodesWithAgents: names,
    };
  });

  clusterAssertions(() => cut);
});
