// The kind path (scripts/kind-e2e.sh, e2e/kind/, .github/workflows/kind-e2e.yml) needs a Docker engine, which the
// development machines lack; this file checks what can be checked without one. The script runs for real with
// docker, kind, kubectl, helm and npx replaced by a stub that logs each call and answers what the script reads,
// so its order of steps, its arguments, the environment it gives the assertions and its clean-up are asserted.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import rootConfig from '../../vitest.config';
import { repoRoot } from '../support/paths';
import { findTool } from '../support/tools';
import kindConfig from './vitest.config';

const script = join(repoRoot, 'scripts/kind-e2e.sh');
const bash = findTool('bash') ?? 'bash';
const shellcheck = findTool('shellcheck');
const tmp = mkdtempSync(join(tmpdir(), 'sss-kind-path-'));

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const stub = `#!/usr/bin/env bash
# Plays docker, kind, kubectl, helm and npx: logs each call, answers what scripts/kind-e2e.sh reads.
name=\${0##*/}
echo "$name $*" >>"$STUB_LOG"
case "$name $*" in
  'docker info'*) exit "\${STUB_DOCKER_INFO_EXIT:-0}" ;;
  'docker build'*) echo "  in $PWD" >>"$STUB_LOG" ;;
  'kind get clusters'*) echo "\${STUB_CLUSTERS:-}" ;;
  'kubectl '*' get service '*) echo 8900 ;;
  'kubectl '*' port-forward '*)
    echo $$ >"$STUB_LOG.port-forward-pid"
    echo 'Forwarding from 127.0.0.1:43210 -> 8900'
    exec sleep 60
    ;;
  'npx vitest '*)
    echo "  env KUBECONFIG=$KUBECONFIG SSS_KIND_DASHBOARD_URL=$SSS_KIND_DASHBOARD_URL SSS_KIND_NAMESPACE=$SSS_KIND_NAMESPACE" >>"$STUB_LOG"
    exit "\${STUB_VITEST_EXIT:-0}"
    ;;
esac
`;

let runs = 0;

/** Runs the script with the stubs first on PATH; the calls have `<work>` for the script's temporary folder. */
function runWithStubs(env: Record<string, string> = {}, args: string[] = []) {
  const dir = join(tmp, `run-${++runs}`);
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'stub'), stub, { mode: 0o755 });
  for (const name of ['docker', 'kind', 'kubectl', 'helm', 'npx']) symlinkSync('stub', join(bin, name));
  const log = join(dir, 'calls.log');
  const result = spawnSync(bash, [script, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { PATH: `${bin}:${process.env.PATH}`, TMPDIR: dir, STUB_LOG: log, ...env },
  });
  const pidFile = `${log}.port-forward-pid`;
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    calls: existsSync(log)
      ? readFileSync(log, 'utf8')
          .replace(/\/[^ ]*\/sss-kind-e2e\.\w+/g, '<work>')
          .trimEnd()
          .split('\n')
      : [],
    workDirs: readdirSync(dir).filter((name) => name.startsWith('sss-kind-e2e.')),
    portForwardPid: existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : undefined,
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const setUp = [
  'docker info',
  'kind get clusters',
  'docker build -f Dockerfile.dashboard -t ghcr.io/simple-server-status/dashboard:e2e .',
  `  in ${repoRoot.replace(/\/$/, '')}`,
  'docker build -f Dockerfile.agent -t ghcr.io/simple-server-status/agent:e2e .',
  `  in ${repoRoot.replace(/\/$/, '')}`,
  'kind create cluster --name sss-e2e --config e2e/kind/kind-config.yaml --kubeconfig <work>/kubeconfig --wait 3m',
  'kind load docker-image --name sss-e2e ghcr.io/simple-server-status/dashboard:e2e ghcr.io/simple-server-status/agent:e2e',
  'helm install sss charts/simple-server-status -n sss --create-namespace --wait --timeout 5m' +
    ' --set dashboard.image.tag=e2e,dashboard.image.pullPolicy=Never' +
    ' --set agent.image.tag=e2e,agent.image.pullPolicy=Never',
  'helm test sss -n sss --logs',
  'kubectl -n sss get service sss-dashboard -o jsonpath={.spec.ports[0].port}',
  'kubectl -n sss port-forward service/sss-dashboard :8900 --address 127.0.0.1',
  'npx vitest run --config e2e/kind/vitest.config.ts',
  '  env KUBECONFIG=<work>/kubeconfig SSS_KIND_DASHBOARD_URL=http://127.0.0.1:43210 SSS_KIND_NAMESPACE=sss',
];

describe('scripts/kind-e2e.sh', () => {
  it.skipIf(!shellcheck)('passes shellcheck', () => {
    const result = spawnSync(shellcheck ?? '', [script], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('parses (bash -n)', () => {
    const result = spawnSync(bash, ['-n', script], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('prints its usage for --help and calls none of docker, kind, kubectl, helm, npx', () => {
    const help = runWithStubs({}, ['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: scripts\/kind-e2e\.sh \[--help\]\n/);
    for (const word of ['docker', 'kind', 'kubectl', 'helm', 'CLUSTER_NAME', 'IMAGE_TAG', 'KEEP_CLUSTER']) {
      expect(help.stdout).toContain(word);
    }
    expect(help.calls).toEqual([]);
    const unknown = runWithStubs({}, ['--frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^kind-e2e: unknown argument: --frobnicate\nusage: /);
    expect(unknown.calls).toEqual([]);
  });

  it('names every missing tool and stops before running anything', () => {
    // Only dirname, which the script needs to find the repository; kubectl and helm may still be found in
    // .cache/tools/bin, where npm test builds them.
    const bin = join(tmp, 'only-dirname');
    mkdirSync(bin);
    symlinkSync(findTool('dirname') ?? '/usr/bin/dirname', join(bin, 'dirname'));
    const result = spawnSync(bash, [script], { encoding: 'utf8', env: { PATH: bin } });
    expect(result.status).toBe(1);
    for (const tool of ['docker', 'kind', 'node', 'npm']) {
      expect(result.stderr).toMatch(new RegExp(`^kind-e2e: ${tool} not found: \\S`, 'm'));
    }
    expect(result.stdout).toBe('');
  });

  it('stops with a clear message when no Docker engine answers', () => {
    const run = runWithStubs({ STUB_DOCKER_INFO_EXIT: '1' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("kind-e2e: no Docker engine answers ('docker info' fails)");
    expect(run.calls).toEqual(['docker info']);
  });

  it('refuses a kind cluster of the same name that exists, and leaves it alone', () => {
    const run = runWithStubs({ STUB_CLUSTERS: 'sss-e2e' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('kind-e2e: a kind cluster named sss-e2e exists');
    expect(run.calls).toEqual(['docker info', 'kind get clusters']);
  });

  it('builds, creates, loads, installs, tests, forwards and runs the assertions, then cleans up', () => {
    const run = runWithStubs();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.calls).toEqual([
      ...setUp,
      'kind delete cluster --name sss-e2e --kubeconfig <work>/kubeconfig',
    ]);
    expect(run.stdout).toContain('dashboard: http://127.0.0.1:43210');
    expect(run.portForwardPid && alive(run.portForwardPid)).toBe(false);
    expect(run.workDirs).toEqual([]);
  });

  it('fails with the cluster state printed when the assertions fail, and still cleans up', () => {
    const run = runWithStubs({ STUB_VITEST_EXIT: '1' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("kind-e2e: failed (exit 1); the cluster's state:");
    expect(run.calls.slice(0, setUp.length)).toEqual(setUp);
    expect(run.calls.slice(setUp.length)).toEqual([
      'kubectl get nodes -o wide',
      'kubectl -n sss get pods -o wide',
      'kubectl -n sss get events --sort-by=.lastTimestamp',
      'kubectl -n sss logs deployment/sss-dashboard --tail=100',
      'kind delete cluster --name sss-e2e --kubeconfig <work>/kubeconfig',
    ]);
    expect(run.portForwardPid && alive(run.portForwardPid)).toBe(false);
    expect(run.workDirs).toEqual([]);
  });

  it('keeps the cluster and its kubeconfig with KEEP_CLUSTER=1, and honours CLUSTER_NAME and IMAGE_TAG', () => {
    const run = runWithStubs({ KEEP_CLUSTER: '1', CLUSTER_NAME: 'mine', IMAGE_TAG: 'dev' });
    expect(run.status).toBe(0);
    const rename = (line: string) => line.replaceAll('sss-e2e', 'mine').replace(/([:=])e2e\b/g, '$1dev');
    expect(run.calls).toEqual(setUp.map(rename));
    expect(run.stdout).toMatch(
      /kind-e2e: kept the cluster: export KUBECONFIG=\S+\/kubeconfig; kind delete cluster --name mine/,
    );
    expect(run.portForwardPid && alive(run.portForwardPid)).toBe(false);
    expect(run.workDirs).toHaveLength(1);
  });
});

describe('e2e/kind/kind-config.yaml', () => {
  it('declares a kind cluster of one control plane and two workers', () => {
    const config = parse(readFileSync(join(repoRoot, 'e2e/kind/kind-config.yaml'), 'utf8'));
    expect(config).toMatchObject({ kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4' });
    expect(config.nodes.map((n: { role: string }) => n.role)).toEqual(['control-plane', 'worker', 'worker']);
  });
});

describe('e2e/kind/kind.e2e.ts', () => {
  const source = readFileSync(join(repoRoot, 'e2e/kind/kind.e2e.ts'), 'utf8');

  it('runs the shared assertions and asserts nothing of its own', () => {
    expect(source).toMatch(/^import \{[^}]*\bclusterAssertions\b[^}]*\} from '\.\.\/cluster\/assertions';$/m);
    expect(source).toContain('clusterAssertions(() => ');
    expect(source).not.toMatch(/\b(?:it|test|expect)(?:\.\w+)*\(/);
  });

  it('is collected by e2e/kind/vitest.config.ts alone, never by npm test', () => {
    expect(kindConfig.test?.include).toEqual(['e2e/kind/*.e2e.ts']);
    const includes = (rootConfig.test?.projects ?? []).flatMap((project) =>
      typeof project === 'object' && 'test' in project ? (project.test?.include ?? []) : [],
    );
    expect(includes.length).toBeGreaterThan(0);
    for (const pattern of includes) expect(pattern).toMatch(/\.test\.ts$/);
  });
});

describe('.github/workflows/kind-e2e.yml', () => {
  const text = readFileSync(join(repoRoot, '.github/workflows/kind-e2e.yml'), 'utf8');
  const workflow = parse(text);
  const job = workflow.jobs.kind;
  const steps: { uses?: string; run?: string; with?: Record<string, unknown> }[] = job.steps;

  it('runs scripts/kind-e2e.sh on ubuntu-latest for pushes to main and pull requests', () => {
    expect(workflow.on).toEqual({ push: { branches: ['main'] }, pull_request: null });
    expect(job['runs-on']).toBe('ubuntu-latest');
    expect(steps.at(-1)?.run?.trim()).toBe('scripts/kind-e2e.sh');
    const setupNode = steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
    expect(setupNode?.with?.['node-version']).toBe(24);
    expect(steps.some((s) => s.run?.trim() === 'npm ci --no-audit --no-fund')).toBe(true);
  });

  it('pins every action to a commit, with its release beside it', () => {
    const uses = text.split('\n').filter((line) => /^\s*-?\s*uses:/.test(line));
    expect(uses.length).toBe(steps.filter((s) => s.uses).length);
    for (const line of uses) expect(line).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  it('pins kind, helm, kubectl and Go, helm to the version the other tests build', () => {
    for (const name of ['KIND_VERSION', 'HELM_VERSION', 'KUBECTL_VERSION']) {
      expect(job.env[name], name).toMatch(/^v\d+\.\d+\.\d+$/);
    }
    const installTools = readFileSync(join(repoRoot, 'scripts/install-tools.sh'), 'utf8');
    expect(installTools).toContain(`\nHELM_VERSION=${job.env.HELM_VERSION}\n`);
    expect(readFileSync(script, 'utf8')).toContain(`go install sigs.k8s.io/kind@${job.env.KIND_VERSION} `);
    const setupGo = steps.find((s) => s.uses?.startsWith('actions/setup-go@'));
    expect(setupGo?.with?.['go-version']).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
