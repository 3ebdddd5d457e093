import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ControlPlane } from './control-plane';

/** Where a pod has its ServiceAccount (/var/run is /run on Debian, as in most images). */
export const SERVICE_ACCOUNT_DIR = '/run/secrets/kubernetes.io/serviceaccount';

/**
 * What a program needs to run as in a pod with a ServiceAccount: the Service's address of the API server in its
 * environment and, in a private mount namespace of its own (a tmpfs over /run there, so no other process on this
 * machine sees it), the ServiceAccount's token, CA and namespace bind-mounted at SERVICE_ACCOUNT_DIR. Pass `env` and
 * `launcher` to startDashboard; needs root and util-linux's unshare. `remove` deletes the files.
 */
export function podServiceAccount(cp: ControlPlane, token: string, unshare: string) {
  const mounted = mkdtempSync(join(tmpdir(), 'sss-serviceaccount-'));
  writeFileSync(join(mounted, 'token'), token.trim());
  copyFileSync(cp.caFile, join(mounted, 'ca.crt'));
  writeFileSync(join(mounted, 'namespace'), 'default');
  return {
    env: {
      KUBERNETES_SERVICE_HOST: '127.0.0.1',
      KUBERNETES_SERVICE_PORT: new URL(cp.server).port,
      SSS_SERVICE_ACCOUNT_SOURCE: mounted,
    },
    launcher: [
      unshare,
      ...['--mount', '--propagation', 'private'],
      'sh',
      '-c',
      `mount -t tmpfs sss-run /run && mkdir -p ${SERVICE_ACCOUNT_DIR} && ` +
        `mount --bind "$SSS_SERVICE_ACCOUNT_SOURCE" ${SERVICE_ACCOUNT_DIR} && exec "$0" "$@"`,
    ],
    remove: () => rmSync(mounted, { recursive: true, force: true }),
  };
}
