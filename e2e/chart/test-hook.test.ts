// The `helm test` hook's script, taken from the rendered chart, run with node against a real dashboard and agent:
// it passes once /readyz answers and a server is listed, and fails with a reason when there is none.
import { spawn } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { newSecret, startAgent, startDashboard, stopAll } from '../support/processes';
import { container, envOf, helm, render } from './chart';

function hookCommand(): string[] {
  const pod = render().one('Pod', 'sss-test');
  return container(pod, 'check').command as string[];
}

/** Runs the hook's command as the pod would (its `node` is this machine's node). */
function runHook(command: string[], env: Record<string, string>) {
  const [node, ...args] = command;
  expect(node).toBe('node');
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise<{ code: number | null; output: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, output })),
  );
}

describe.skipIf(!helm)('chart: the helm test hook', () => {
  afterEach(() => stopAll());
  afterAll(() => stopAll());

  it('passes once the dashboard is ready and an agent has reported', async () => {
    const dashboard = await startDashboard();
    startAgent(dashboard, { SSS_SERVER_ID: 'hook-node-1', SSS_INTERVAL: '1', SSS_HEALTH_PORT: '0' });
    const result = await runHook(hookCommand(), { DASHBOARD_URL: dashboard.url, TIMEOUT_SECONDS: '30' });
    expect(result.output).toContain('ok: GET /readyz 200; GET /api/servers lists hook-node-1');
    expect(result.code).toBe(0);
  });

  it('fails with the reason when no server has reported before the timeout', async () => {
    const dashboard = await startDashboard();
    const result = await runHook(hookCommand(), { DASHBOARD_URL: dashboard.url, TIMEOUT_SECONDS: '3' });
    expect(result.output).toContain(
      `failed after 3 s against ${dashboard.url}: GET /api/servers answered 200`,
    );
    expect(result.output).toContain('with no online server');
    expect(result.code).toBe(1);
  });

  it('fails when the dashboard cannot be reached', async () => {
    const dashboard = await startDashboard();
    const url = dashboard.url;
    await dashboard.stop();
    const result = await runHook(hookCommand(), { DASHBOARD_URL: url, TIMEOUT_SECONDS: '3' });
    expect(result.output).toMatch(/failed after 3 s .*TypeError: fetch failed/);
    expect(result.code).toBe(1);
  });

  it('presents the frontend token when the chart configures one', async () => {
    const token = newSecret();
    const dashboard = await startDashboard({ SSS_FRONTEND_TOKEN: token });
    startAgent(dashboard, { SSS_SERVER_ID: 'hook-node-2', SSS_INTERVAL: '1', SSS_HEALTH_PORT: '0' });
    const pod = render({ set: { 'dashboard.frontendToken.existingSecret': 'ui-token' } }).one(
      'Pod',
      'sss-test',
    );
    expect(envOf(container(pod, 'check')).SSS_FRONTEND_TOKEN?.valueFrom).toEqual({
      secretKeyRef: { name: 'ui-token', key: 'token' },
    });
    const command = container(pod, 'check').command as string[];
    const without = await runHook(command, { DASHBOARD_URL: dashboard.url, TIMEOUT_SECONDS: '3' });
    expect(without.output).toContain('GET /api/servers answered 401');
    expect(without.code).toBe(1);
    const withToken = await runHook(command, {
      DASHBOARD_URL: dashboard.url,
      TIMEOUT_SECONDS: '30',
      SSS_FRONTEND_TOKEN: token,
    });
    expect(withToken.output).toContain('lists hook-node-2');
    expect(withToken.code).toBe(0);
  });
});
