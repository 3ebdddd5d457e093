// `helm test` with its check really run: kwok marks the test Pod Running but runs nothing, so the check's command is
// run here as a process with the Pod's resolved environment, and its outcome written to the Pod's status as a
// kubelet would write it. helm reads the phase and passes or fails on it.
import { spawn } from 'node:child_process';
import { expect } from 'vitest';
import { eventually } from './assertions';
import type { ControlPlane } from './control-plane';
import { type Kubectl, type PodObject, resolveContainer, type StandIns } from './pod-env';

export interface HelmTestOptions {
  cp: ControlPlane;
  kubectl: Kubectl;
  release: string;
  namespace: string;
  /** Where resolveContainer writes the Pod's Secret files. */
  dir: string;
  standIns: StandIns;
  /** Node options before the check's own arguments (e.g. a DNS stand-in). */
  nodeOptions?: string[];
}

export interface HelmTestResult {
  checkCode: number;
  checkOutput: string;
  helm: { code: number; output: string };
}

export async function helmTest(options: HelmTestOptions): Promise<HelmTestResult> {
  const { cp, kubectl, release, namespace } = options;
  const name = `${release}-test`;
  const helm = cp
    .helm(['test', release, '-n', namespace, '--timeout', '60s'])
    .then((output) => ({ code: 0, output }))
    .catch((err: Error) => ({ code: 1, output: err.message }));
  const pod = await eventually(async () => {
    const found = JSON.parse(await kubectl(['get', 'pod', name, '-n', namespace, '-o', 'json'])) as PodObject;
    expect(found.status.phase).toBe('Running');
    return found;
  }, 30_000);
  const { env, command } = await resolveContainer(kubectl, pod, 'check', options.dir, options.standIns);
  const [program, ...args] = command ?? [];
  expect(program).toBe('node');
  const check = await run(process.execPath, [...(options.nodeOptions ?? []), ...args], env);
  const terminated = {
    exitCode: check.code,
    reason: check.code === 0 ? 'Completed' : 'Error',
    startedAt: new Date(Date.now() - 1000).toISOString(),
    finishedAt: new Date().toISOString(),
  };
  await kubectl([
    'patch',
    'pod',
    name,
    '-n',
    namespace,
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify({
      status: {
        phase: check.code === 0 ? 'Succeeded' : 'Failed',
        conditions: [{ type: 'Ready', status: 'False', reason: 'PodCompleted' }],
        containerStatuses: [
          {
            name: 'check',
            image: 'ghcr.io/simple-server-status/dashboard',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { terminated },
          },
        ],
      },
    }),
  ]);
  return { checkCode: check.code, checkOutput: check.output.trim(), helm: await helm };
}

function run(command: string, args: string[], env: Record<string, string>) {
  const child = spawn(command, args, { env: { PATH: process.env.PATH ?? '', ...env } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise<{ code: number; output: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code: code ?? 1, output })),
  );
}
