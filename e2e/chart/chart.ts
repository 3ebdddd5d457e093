// Runs the real helm binary on charts/simple-server-status and parses what it renders with the `yaml` package,
// so the chart tests assert on objects, not on text.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '../support/paths';
import { findTool } from '../support/tools';

export const chartDir = join(repoRoot, 'charts/simple-server-status');
export const helm = findTool('helm');

/** The ci/*-values.yaml scenarios, as paths relative to the chart. */
export const ciValues = readdirSync(join(chartDir, 'ci'))
  .filter((name) => name.endsWith('-values.yaml'))
  .sort()
  .map((name) => `ci/${name}`);

export interface HelmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function helmEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    KUBECONFIG: '/dev/null',
    HELM_CACHE_HOME: join(repoRoot, '.cache/helm/cache'),
    HELM_CONFIG_HOME: join(repoRoot, '.cache/helm/config'),
    HELM_DATA_HOME: join(repoRoot, '.cache/helm/data'),
    ...env,
  };
}

/** Runs helm in the chart folder with no cluster and no network (KUBECONFIG=/dev/null unless env says otherwise). */
export function runHelm(args: string[], env: Record<string, string> = {}): HelmResult {
  if (!helm) throw new Error('helm is missing');
  const result = spawnSync(helm, args, {
    cwd: chartDir,
    encoding: 'utf8',
    env: helmEnv(env),
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

// Kubernetes objects are open-ended; the tests walk them with `at` and compare with toEqual.
// biome-ignore lint/suspicious/noExplicitAny: rendered manifests are arbitrary YAML.
export type K8sObject = Record<string, any>;

export interface RenderOptions {
  /** Values files relative to the chart (-f). */
  values?: string[];
  /** --set key=value pairs. */
  set?: Record<string, string | number | boolean>;
  namespace?: string;
  release?: string;
  extraArgs?: string[];
}

function templateArgs(options: RenderOptions): string[] {
  const args = ['template', options.release ?? 'sss', '.', '--namespace', options.namespace ?? 'monitoring'];
  for (const file of options.values ?? []) args.push('-f', file);
  for (const [key, value] of Object.entries(options.set ?? {})) args.push('--set', `${key}=${value}`);
  return [...args, ...(options.extraArgs ?? [])];
}

/** `helm template` that must fail; returns helm's error output. */
export function renderError(options: RenderOptions): string {
  const result = runHelm(templateArgs(options));
  if (result.status === 0)
    throw new Error(`helm template succeeded but should have failed: ${templateArgs(options)}`);
  return result.stderr;
}

/** The objects `helm template` renders (hooks included), parsed; throws with helm's message when it fails. */
export function render(options: RenderOptions = {}): Manifests {
  const result = runHelm(templateArgs(options));
  if (result.status !== 0)
    throw new Error(`helm ${templateArgs(options).join(' ')} failed:\n${result.stderr}`);
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(result.stdout)) {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}`);
    const value = doc.toJS() as K8sObject | null;
    if (value) objects.push(value);
  }
  return new Manifests(objects);
}

export class Manifests {
  constructor(readonly objects: K8sObject[]) {}

  /** Objects of a kind, optionally with a name. */
  all(kind: string): K8sObject[] {
    return this.objects.filter((o) => o.kind === kind);
  }

  /** The one object of that kind (and name); throws when there is none or more than one. */
  one(kind: string, name?: string): K8sObject {
    const found = this.all(kind).filter((o) => name === undefined || o.metadata?.name === name);
    if (found.length !== 1) {
      const names = this.all(kind).map((o) => o.metadata?.name);
      throw new Error(
        `expected one ${kind}${name ? ` named ${name}` : ''}, found ${found.length} (${names})`,
      );
    }
    return found[0] as K8sObject;
  }

  has(kind: string, name?: string): boolean {
    return this.all(kind).some((o) => name === undefined || o.metadata?.name === name);
  }

  kinds(): string[] {
    return this.objects.map((o) => `${o.kind}/${o.metadata?.name}`).sort();
  }
}

/** The pod spec of a workload or Pod. */
export function podSpec(object: K8sObject): K8sObject {
  return object.kind === 'Pod' ? object.spec : object.spec.template.spec;
}

/** The named container of a workload or Pod. */
export function container(object: K8sObject, name: string): K8sObject {
  const found = (podSpec(object).containers as K8sObject[]).find((c) => c.name === name);
  if (!found) throw new Error(`${object.kind}/${object.metadata.name} has no container ${name}`);
  return found;
}

/** A container's env as name -> entry (value or valueFrom), failing on duplicates. */
export function envOf(c: K8sObject): Record<string, K8sObject> {
  const env: Record<string, K8sObject> = {};
  for (const entry of c.env as K8sObject[]) {
    if (entry.name in env) throw new Error(`env ${entry.name} is set twice`);
    env[entry.name] = entry;
  }
  return env;
}
