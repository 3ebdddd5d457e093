import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingError } from '@sss/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { kubeConfigFor } from './kube-config';

const dir = mkdtempSync(join(tmpdir(), 'sss-kube-config-'));
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
writeFileSync(join(saDir, 'ca.crt'), '');
writeFileSync(join(saDir, 'namespace'), 'monitoring');
const podEnv = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };

describe('kubeConfigFor', () => {
  it('is off with off, and with auto when neither a pod nor KUBECONFIG is there', async () => {
    expect(await kubeConfigFor('off', { KUBECONFIG: kubeconfig }, podRoot)).toBeUndefined();
    expect(await kubeConfigFor('auto', {}, podRoot)).toBeUndefined();
    expect(await kubeConfigFor('auto', podEnv, join(dir, 'nowhere'))).toBeUndefined();
  });

  it('stops with on when there is nothing to connect with, naming the setting and the valid values', async () => {
    const err = await settingErrorOfAsync(() => kubeConfigFor('on', {}, join(dir, 'nowhere')));
    expect(err.setting).toBe('SSS_KUBERNETES');
    expect(err.message).toContain('valid values: auto, on, off');
  });

  it("uses KUBECONFIG's current context", async () => {
    const config = await kubeConfigFor('auto', { KUBECONFIG: kubeconfig }, join(dir, 'nowhere'));
    expect(config?.getCurrentCluster()?.server).toBe('https://127.0.0.1:6443');
  });

  it("uses a pod's ServiceAccount token and CA", async () => {
    const config = await kubeConfigFor('auto', podEnv, podRoot);
    expect(config?.getCurrentCluster()).toMatchObject({
      server: 'https://10.96.0.1:443',
      caFile: join(saDir, 'ca.crt'),
    });
  });

  it('names KUBECONFIG when its file cannot be read', async () => {
    const err = await settingErrorOfAsync(() => kubeConfigFor('on', { KUBECONFIG: join(dir, 'missing') }));
    expect(err.setting).toBe('KUBECONFIG');
    expect(err.message).toContain(join(dir, 'missing'));
  });
});
