import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { RequestOptions } from 'node:https';
import { isIPv6 } from 'node:net';
import { SettingError } from '@sss/protocol';

export const KUBERNETES_MODES = ['auto', 'on', 'off'] as const;
export type KubernetesMode = (typeof KUBERNETES_MODES)[number];

/** The API server, and the TLS settings and credentials of each request to it. */
export interface ApiServer {
  /** Its base URL, e.g. https://10.96.0.1:443. */
  readonly server: string;
  /** Options for node:https (CA, client certificate, the token's header), made anew for each request. */
  requestOptions(): Promise<RequestOptions>;
}

/** Where Kubernetes mounts a pod's ServiceAccount token and CA (below a prefix that tests set). */
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

type Env = Readonly<Record<string, string | undefined>>;

function inPod(env: Env, pathPrefix: string): boolean {
  return env.KUBERNETES_SERVICE_HOST !== undefined && existsSync(`${pathPrefix}${SERVICE_ACCOUNT_DIR}/token`);
}

/**
 * What client-go's in-cluster config does: the Service address from the environment, the mounted CA and token.
 * Both files are read for every request, so a projected token that the kubelet rotates keeps working.
 */
function podApiServer(env: Env, pathPrefix: string): ApiServer {
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  const dir = `${pathPrefix}${SERVICE_ACCOUNT_DIR}`;
  return {
    server: `https://${isIPv6(host) ? `[${host}]` : host}:${env.KUBERNETES_SERVICE_PORT ?? '443'}`,
    async requestOptions() {
      const [ca, token] = await Promise.all([readFile(`${dir}/ca.crt`), readFile(`${dir}/token`, 'utf8')]);
      return { ca, headers: { authorization: `Bearer ${token.trim()}` } };
    },
  };
}

/**
 * A kubeconfig file's current context, through the client library, which knows every way a kubeconfig can
 * authenticate (tokens, client certificates, exec plugins, OIDC). It costs about 75 MiB of memory and a second
 * of start-up, so it is loaded only for a file: a pod, the chart's case, does without it.
 */
async function fileApiServer(file: string): Promise<ApiServer> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const config = new KubeConfig();
  config.loadFromFile(file);
  const cluster = config.getCurrentCluster();
  if (!cluster)
    throw new SettingError('KUBECONFIG', `KUBECONFIG "${file}" has no current context with a cluster`);
  return {
    server: cluster.server,
    async requestOptions() {
      const options: RequestOptions = {};
      await config.applyToHTTPSOptions(options);
      return options;
    },
  };
}

/**
 * The API server connection for SSS_KUBERNETES: in a pod its ServiceAccount token and CA, outside one `KUBECONFIG`.
 * `auto` turns Kubernetes on when either is present and leaves it off otherwise; `on` without either stops the
 * dashboard at start, as does a kubeconfig or a ServiceAccount mount that cannot be read. Returns undefined when off.
 */
export async function apiServerFor(
  mode: KubernetesMode,
  env: Env,
  pathPrefix = '',
): Promise<ApiServer | undefined> {
  if (mode === 'off') return undefined;
  const pod = inPod(env, pathPrefix);
  const file = env.KUBECONFIG;
  if (!pod && !file) {
    if (mode === 'auto') return undefined;
    throw new SettingError(
      'SSS_KUBERNETES',
      'SSS_KUBERNETES=on needs a pod ServiceAccount (KUBERNETES_SERVICE_HOST and its token) or KUBECONFIG; ' +
        'valid values: auto, on, off',
    );
  }
  try {
    // KUBECONFIG wins when both are there, as kubectl does: it is the explicit choice.
    const api = file ? await fileApiServer(file.split(':')[0] ?? file) : podApiServer(env, pathPrefix);
    await api.requestOptions(); // unreadable files stop the dashboard now, not its first request
    return api;
  } catch (err) {
    if (err instanceof SettingError) throw err;
    throw new SettingError(
      file ? 'KUBECONFIG' : 'SSS_KUBERNETES',
      `cannot load ${file ? `KUBECONFIG "${file}"` : 'the pod ServiceAccount'}: ${(err as Error).message}`,
    );
  }
}
