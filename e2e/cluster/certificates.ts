// The PKI of a throwaway control plane, made with the openssl command line: P-256 keys (instant, where RSA takes
// a noticeable fraction of a second each) except the ServiceAccount key pair, which is RSA.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface KeyPair {
  cert: string;
  key: string;
}

export interface Certificates {
  /** Signs every serving and client certificate; the CA file clients trust. */
  ca: KeyPair;
  apiServer: KeyPair;
  /** RSA; the API server signs ServiceAccount tokens with the key and checks them with the public key. */
  serviceAccount: { key: string; publicKey: string };
  admin: KeyPair;
  controllerManager: KeyPair;
  scheduler: KeyPair;
  /** The CA of the aggregation layer's request-header authentication, and the client the API server proxies as. */
  frontProxyCa: KeyPair;
  frontProxyClient: KeyPair;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  try {
    await run('openssl', args, { cwd: dir, timeout: 30_000 });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`openssl ${args[0]} failed: ${stderr ?? String(error)}`);
  }
}

async function createCa(dir: string, name: string, subject: string): Promise<KeyPair> {
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  // The openssl.cnf written by createCertificates has no extensions of its own, so -addext cannot clash.
  await openssl(dir, [
    ...['req', '-x509', '-new', '-nodes', '-config', 'openssl.cnf', '-days', '3650'],
    ...['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-keyout', pair.key, '-out', pair.cert],
    ...['-subj', subject, '-addext', 'basicConstraints=critical,CA:TRUE'],
    ...['-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature'],
  ]);
  return pair;
}

async function createLeaf(
  dir: string,
  ca: KeyPair,
  name: string,
  subject: string,
  usage: 'serverAuth' | 'clientAuth',
  altNames: string[] = [],
): Promise<KeyPair> {
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  await openssl(dir, [
    ...[
      'req',
      '-x509',
      '-nodes',
      '-config',
      'openssl.cnf',
      '-days',
      '3650',
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
    ],
    ...['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-keyout', pair.key, '-out', pair.cert],
    ...['-subj', subject, '-addext', 'basicConstraints=critical,CA:FALSE'],
    ...[
      '-addext',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      '-addext',
      `extendedKeyUsage=${usage}`,
    ],
    ...(altNames.length > 0 ? ['-addext', `subjectAltName=${altNames.join(',')}`] : []),
  ]);
  return pair;
}

/** Writes every key and certificate into dir (about 0.3 s); serviceIp is the first address of the service range. */
export async function createCertificates(dir: string, serviceIp: string): Promise<Certificates> {
  writeFileSync(join(dir, 'openssl.cnf'), '[req]\ndistinguished_name = dn\n[dn]\n');
  const serviceAccount = {
    key: join(dir, 'service-account.key'),
    publicKey: join(dir, 'service-account.pub'),
  };
  const [ca, frontProxyCa] = await Promise.all([
    createCa(dir, 'ca', '/CN=sss-test-ca'),
    createCa(dir, 'front-proxy-ca', '/CN=sss-test-front-proxy-ca'),
    openssl(dir, [
      'genpkey',
      '-algorithm',
      'RSA',
      '-pkeyopt',
      'rsa_keygen_bits:2048',
      '-out',
      serviceAccount.key,
    ]),
  ]);
  const [apiServer, admin, controllerManager, scheduler, frontProxyClient] = await Promise.all([
    createLeaf(dir, ca, 'apiserver', '/CN=kube-apiserver', 'serverAuth', [
      'IP:127.0.0.1',
      `IP:${serviceIp}`,
      'DNS:localhost',
      'DNS:kubernetes',
      'DNS:kubernetes.default',
      'DNS:kubernetes.default.svc',
      'DNS:kubernetes.default.svc.cluster.local',
    ]),
    createLeaf(dir, ca, 'admin', '/O=system:masters/CN=admin', 'clientAuth'),
    createLeaf(dir, ca, 'controller-manager', '/CN=system:kube-controller-manager', 'clientAuth'),
    createLeaf(dir, ca, 'scheduler', '/CN=system:kube-scheduler', 'clientAuth'),
    createLeaf(dir, frontProxyCa, 'front-proxy-client', '/CN=front-proxy-client', 'clientAuth'),
    openssl(dir, ['pkey', '-in', serviceAccount.key, '-pubout', '-out', serviceAccount.publicKey]),
  ]);
  return {
    ca,
    apiServer,
    serviceAccount,
    admin,
    controllerManager,
    scheduler,
    frontProxyCa,
    frontProxyClient,
  };
}
