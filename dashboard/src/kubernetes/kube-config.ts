import { existsSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { SettingError } from '@sss/protocol';

export const KUBERNETES_MODES = ['auto', 'on', 'off'] as const;
export type KubernetesMode = (typeof KUBERNETES_MODES)[number];

/** Where Kubernetes mounts a pod's ServiceAccount token and CA (below a prefix that tests set). */
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

type Env = Readonly<Record<string, string | undefined>>;

function inPod(env: Env, pathPrefix: string): boolean {
  return env.KUBERNETES_SERVICE_HOST !== undefined && existsSync(`${pathPrefix}${SERVICE_ACCOUNT_DIR}/token`);
}

/** What the client's loadFromCluster does, but from `env` rather than process.env. */
function loadFromPod(config: KubeConfig, env: Env, pathPrefix: string): void {
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  const dir = `${pathPrefix}${SERVICE_ACCOUNT_DIR}`;
  config.loadFromClusterAndUser(
    {
      name: 'in-cluster',
      server: `https://${isIPv6(host) ? `[${host}]` : host}:${env.KUBERNETES_SERVICE_PORT ?? '443'}`,
      caFile: `${dir}/ca.crt`,
      skipTLSVerify: false,
    },
    // The client re-reads a token file, so a projected token that the kubelet rotates keeps working.
    { name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile: `${dir}/token` } } },
  );
}

/**
 * The API server connection for SSS_KUBERNETES: in a pod its ServiceAccount token and CA, outside one `KUBECONFIG`.
 * `auto` turns Kubernetes on when either is present and leaves it off otherwise; `on` without either stops the
 * dashboard at start. Returns undefined when off. The client library is loaded only then: it costs about 80 MiB of
 * memory and a second of start-up, which a dashboard outside Kubernetes should not pay.
 */
export async function kubeConfigFor(
  mode: KubernetesMode,
  env: Env,
  pathPrefix = '',
): Promise<KubeConfig | undefined> {
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
  const { KubeConfig } = await import('@kubernetes/client-node');
  const config = new KubeConfig();
  try {
    // KUBECONFIG wins when both are there, as kubectl does: it is the explicit choice.
    if (file) config.loadFromFile(file.split(':')[0] ?? file);
    else loadFromPod(config, env, pathPrefix);
  } catch (err) {
    throw new SettingError(
      file ? 'KUBECONFIG' : 'SSS_KUBERNETES',
      `cannot load ${file ? `KUBECONFIG "${file}"` : 'the pod ServiceAccount'}: ${(err as Error).message}`,
    );
  }
  if (!config.getCurrentCluster()) {
    throw new SettingError('KUBECONFIG', `KUBECONFIG "${file}" has no current context with a cluster`);
  }
  return config;
}
