// Kubeconfig files with every credential embedded, so a file works on its own wherever it is copied.
import { readFileSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

export type Credentials = { cert: string; key: string } | { token: string };

const base64 = (path: string) => readFileSync(path).toString('base64');

/** Writes a kubeconfig with one cluster, one user and one current context named `sss`. */
export function writeKubeconfig(
  path: string,
  server: string,
  caFile: string,
  credentials: Credentials,
): void {
  const user =
    'token' in credentials
      ? { token: credentials.token }
      : { 'client-certificate-data': base64(credentials.cert), 'client-key-data': base64(credentials.key) };
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'sss', cluster: { server, 'certificate-authority-data': base64(caFile) } }],
    users: [{ name: 'sss', user }],
    contexts: [{ name: 'sss', context: { cluster: 'sss', user: 'sss' } }],
    'current-context': 'sss',
  };
  writeFileSync(path, stringify(config), { mode: 0o600 });
}
