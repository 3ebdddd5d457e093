import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingError } from '@sss/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { apiServerFor } from './api-server';

const dir = mkdtempSync(join(tmpdir(), 'sss-api-server-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const kubeconfig = join(dir, 'kubeconfig');
writeFileSync(
  kubeconfig,
  `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: abc}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`,
);

async function settingErrorOfAsync(fn: () => Promise<unknown>): Promise<SettingError> {
  const err = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err instanceof SettingError) return err;
  throw new Error(`expected a SettingError, got ${String(err)}`);
}

/** A pod's ServiceAccount mount below `dir`. */
const podRoot = join(dir, 'pod');
const saDir = join(podRoot, 'var/run/secrets/kubernetes.io/serviceaccount');
mkdirSync(saDir, { recursive: true });
writeFileSync(join(saDir, 'token'), 'pod-token');
writeFileSync(join(saDir, 'ca.crt'), 'pod-ca');
writeFileSync(join(saDir, 'namespace'), 'monitoring');
const podEnv = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };

describe('apiServerFor', () => {
  it('is off with off, and with auto when neither a pod nor KUBECONFIG is there', async () => {
    expect(await apiServerFor('off', { KUBECONFIG: kubeconfig }, podRoot)).toBeUndefined();
    expect(await apiServerFor('auto', {}, podRoot)).toBeUndefined();
    expect(await apiServerFor('auto', podEnv, join(dir, 'nowhere'))).toBeUndefined();
  });

  it('stops with on when there is nothing to connect with, naming the setting and the valid values', async () => {
    const err = await settingErrorOfAsync(() => apiServerFor('on', {}, join(dir, 'nowhere')));
    expect(err.setting).toBe('SSS_KUBERNETES');
    expect(err.message).toContain('valid values: auto, on, off');
  });

  it("uses KUBECONFIG's current context, its token and TLS settings", async () => {
    const api = await apiServerFor('auto', { KUBECONFIG: kubeconfig }, join(dir, 'nowhere'));
    expect(api?.server).toBe('https://127.0.0.1:6443');
    expect(await api?.requestOptions()).toMatchObject({
      headers: { Authorization: 'Bearer abc' },
      rejectUnauthorized: false,
    });
  });

  it("uses a pod's ServiceAccount token and CA, read again for each request (the kubelet rotates the token)", async () => {
    const api = await apiServerFor('auto', podEnv, podRoot);
    expect(api?.server).toBe('https://10.96.0.1:443');
    expect(await api?.requestOptions()).toEqual({
      ca: Buffer.from('pod-ca'),
      headers: { authorization: 'Bearer pod-token' },
    });
    writeFileSync(join(saDir, 'token'), 'rotated-token\n');
    expect((await api?.requestOptions())?.headers).toEqual({ authorization: 'Bearer rotated-token' });
    writeFileSync(join(saDir, 'token'), 'pod-token');
  });

  it('puts an IPv6 Service address in brackets', async () => {
    const api = await apiServerFor(
      'on',
      { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' },
      podRoot,
    );
    expect(api?.server).toBe('https://[fd00::1]:6443');
  });

  it('stops when the pod has a token but no CA to check the API server with, naming the setting', async () => {
    const root = join(dir, 'no-ca');
    const sa = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, 'token'), 'pod-token');
    const err = await settingErrorOfAsync(() => apiServerFor('auto', podEnv, root));
    expect(err.setting).toBe('SSS_KUBERNETES');
    expect(err.message).toContain('cannot load the pod ServiceAccount');
    expect(err.message).toContain('ca.crt');
  });

  it('names KUBECONFIG when its file cannot be read', async () => {
    const err = await settingErrorOfAsync(() => apiServerFor('on', { KUBECONFIG: join(dir, 'missing') }));
    expect(err.setting).toBe('KUBECONFIG');
    expect(err.message).toContain(join(dir, 'missing'));
  });
});
