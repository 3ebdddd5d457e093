// A stand-in for a Kubernetes API server, because none runs here: it answers the discovery requests helm makes
// and serves Secrets from a map, so `helm ... --dry-run=server` runs the chart's `lookup` against real HTTP
// answers. Anything it does not hold is a 404 (a get) or an empty list (a list), as an empty cluster answers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const groups: Record<
  string,
  { version: string; resources: [name: string, kind: string, namespaced: boolean][] }
> = {
  '': {
    version: 'v1',
    resources: [
      ['namespaces', 'Namespace', false],
      ['nodes', 'Node', false],
      ['pods', 'Pod', true],
      ['secrets', 'Secret', true],
      ['services', 'Service', true],
      ['serviceaccounts', 'ServiceAccount', true],
      ['configmaps', 'ConfigMap', true],
    ],
  },
  apps: {
    version: 'v1',
    resources: [
      ['daemonsets', 'DaemonSet', true],
      ['deployments', 'Deployment', true],
    ],
  },
  'rbac.authorization.k8s.io': {
    version: 'v1',
    resources: [
      ['clusterroles', 'ClusterRole', false],
      ['clusterrolebindings', 'ClusterRoleBinding', false],
    ],
  },
  'networking.k8s.io': {
    version: 'v1',
    resources: [
      ['ingresses', 'Ingress', true],
      ['networkpolicies', 'NetworkPolicy', true],
    ],
  },
  'monitoring.coreos.com': { version: 'v1', resources: [['servicemonitors', 'ServiceMonitor', true]] },
};

function resourceList(group: string) {
  const g = groups[group];
  if (!g) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${g.version}` : g.version,
    resources: g.resources.map(([name, kind, namespaced]) => ({
      name,
      singularName: kind.toLowerCase(),
      namespaced,
      kind,
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    })),
  };
}

const notFound = (what: string) => ({
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  message: `${what} not found`,
  reason: 'NotFound',
  code: 404,
});

export interface FakeApiServer {
  /** A kubeconfig file pointing at the fake. */
  kubeconfig: string;
  /** Secrets by "namespace/name". */
  secrets: Map<string, Record<string, unknown>>;
  /** Every request as "METHOD path". */
  requests: string[];
  close(): Promise<void>;
}

export async function startFakeApiServer(): Promise<FakeApiServer> {
  const secrets = new Map<string, Record<string, unknown>>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    requests.push(`${req.method} ${url.pathname}`);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const path = url.pathname;
    if (path === '/version') {
      return send(200, { major: '1', minor: '33', gitVersion: 'v1.33.0', platform: 'linux/amd64' });
    }
    if (path === '/api') return send(200, { kind: 'APIVersions', versions: ['v1'] });
    if (path === '/apis') {
      return send(200, {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: Object.entries(groups)
          .filter(([name]) => name)
          .map(([name, g]) => {
            const version = { groupVersion: `${name}/${g.version}`, version: g.version };
            return { name, versions: [version], preferredVersion: version };
          }),
      });
    }
    if (path === '/api/v1') return send(200, resourceList(''));
    const groupVersion = path.match(/^\/apis\/([^/]+)\/([^/]+)$/);
    if (groupVersion) {
      const list = resourceList(groupVersion[1] ?? '');
      return list ? send(200, list) : send(404, notFound(path));
    }
    const secret = path.match(/^\/api\/v1\/namespaces\/([^/]+)\/secrets(?:\/([^/]+))?$/);
    if (secret && req.method === 'GET') {
      const [, namespace, name] = secret;
      if (name) {
        const found = secrets.get(`${namespace}/${name}`);
        return found ? send(200, found) : send(404, notFound(`secrets "${name}"`));
      }
      // helm keeps its releases in Secrets; this cluster has none (the selector names helm's labels).
      return send(200, { kind: 'SecretList', apiVersion: 'v1', metadata: {}, items: [] });
    }
    if (req.method === 'GET' && !path.split('/').pop()?.match(/s$/)) return send(404, notFound(path));
    if (req.method === 'GET') return send(200, { kind: 'List', apiVersion: 'v1', metadata: {}, items: [] });
    return send(405, {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      code: 405,
      message: 'read-only fake',
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const dir = mkdtempSync(join(tmpdir(), 'sss-kube-'));
  const kubeconfig = join(dir, 'config');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'fake', cluster: { server: `http://127.0.0.1:${port}` } }],
      users: [{ name: 'fake', user: {} }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake', namespace: 'default' } }],
      'current-context': 'fake',
    }),
  );
  return {
    kubeconfig,
    secrets,
    requests,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
