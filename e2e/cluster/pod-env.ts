// Resolves what a container of a real Pod would see, so the test can run our program as a process in its place
// (kwok schedules Pods and marks them Running, but no container ever runs). Values come from the Pod as the API
// server holds it and from the Secrets the chart made: env values, fieldRefs (spec.nodeName, status.hostIP),
// secretKeyRefs, and files of mounted Secrets. What one machine cannot give every Pod is stood in for, each named
// here: a hostPath is this machine's path; a Service's DNS name is 127.0.0.1 and the port of the process that
// plays its Pod (cluster DNS and kube-proxy); a port a container listens on is whatever the caller overrides.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Runs kubectl with the admin kubeconfig and returns stdout; rejects with stderr on failure. */
export type Kubectl = (args: string[], input?: string) => Promise<string>;

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
  };
}

interface Volume {
  name: string;
  hostPath?: { path: string };
  secret?: { secretName: string; items?: { key: string; path: string }[] };
  emptyDir?: object;
}

export interface PodObject {
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: {
    nodeName?: string;
    containers: {
      name: string;
      command?: string[];
      env?: EnvVar[];
      volumeMounts?: { name: string; mountPath: string }[];
    }[];
    volumes?: Volume[];
  };
  status: { phase?: string; hostIP?: string; podIP?: string };
}

export interface ResolvedContainer {
  env: Record<string, string>;
  command: string[] | undefined;
}

export interface StandIns {
  /** Service name -> the local port of the process playing its Pod. */
  services: ReadonlyMap<string, number>;
  /** Values that differ on one shared machine (listen ports), applied last. */
  overrides?: Record<string, string>;
}

async function secretData(
  kubectl: Kubectl,
  namespace: string,
  name: string,
): Promise<Record<string, string>> {
  const secret = JSON.parse(await kubectl(['get', 'secret', name, '-n', namespace, '-o', 'json'])) as {
    data?: Record<string, string>;
  };
  return Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
  );
}

function fieldOf(pod: PodObject, path: string): string {
  const values: Record<string, string | undefined> = {
    'spec.nodeName': pod.spec.nodeName,
    'status.hostIP': pod.status.hostIP,
    'status.podIP': pod.status.podIP,
    'metadata.name': pod.metadata.name,
    'metadata.namespace': pod.metadata.namespace,
  };
  const value = values[path];
  if (value === undefined) throw new Error(`pod ${pod.metadata.name}: fieldRef ${path} has no value here`);
  return value;
}

/** Rewrites Service host names (svc, svc.ns, svc.ns.svc, svc.ns.svc.cluster.local) to 127.0.0.1:<local port>. */
function throughServices(value: string, namespace: string, services: ReadonlyMap<string, number>): string {
  let out = value;
  for (const [service, port] of services) {
    const host = `${service}(?:\\.${namespace}(?:\\.svc(?:\\.cluster\\.local)?)?)?`;
    out = out.replace(new RegExp(`(\\w+://)${host}:\\d+`, 'g'), `$1127.0.0.1:${port}`);
  }
  return out;
}

/**
 * The environment the container `name` of `pod` resolves to, with paths inside its mounts translated to local
 * ones (Secret files written below `dir`) and Service URLs pointing at local processes.
 */
export async function resolveContainer(
  kubectl: Kubectl,
  pod: PodObject,
  name: string,
  dir: string,
  standIns: StandIns,
): Promise<ResolvedContainer> {
  const container = pod.spec.containers.find((c) => c.name === name);
  if (!container) throw new Error(`pod ${pod.metadata.name} has no container ${name}`);
  const namespace = pod.metadata.namespace;
  const volumes = new Map((pod.spec.volumes ?? []).map((v) => [v.name, v]));
  const mounts: { containerPath: string; localPath: string }[] = [];
  for (const mount of container.volumeMounts ?? []) {
    const volume = volumes.get(mount.name);
    if (!volume) throw new Error(`pod ${pod.metadata.name}: mount of unknown volume ${mount.name}`);
    let localPath: string;
    if (volume.hostPath) {
      localPath = volume.hostPath.path;
    } else if (volume.secret) {
      localPath = join(dir, pod.metadata.name, mount.name);
      mkdirSync(localPath, { recursive: true });
      const data = await secretData(kubectl, namespace, volume.secret.secretName);
      const items = volume.secret.items ?? Object.keys(data).map((key) => ({ key, path: key }));
      for (const item of items) {
        const value = data[item.key];
        if (value === undefined) throw new Error(`secret ${volume.secret.secretName} has no key ${item.key}`);
        writeFileSync(join(localPath, item.path), value);
      }
    } else {
      localPath = join(dir, pod.metadata.name, mount.name);
      mkdirSync(localPath, { recursive: true });
    }
    mounts.push({ containerPath: mount.mountPath, localPath });
  }
  // Longest mount first, so /host/root/etc resolves through /host/root and not through a shorter prefix.
  mounts.sort((a, b) => b.containerPath.length - a.containerPath.length);
  const local = (value: string) => {
    const mount = mounts.find(
      (m) => value === m.containerPath || value.startsWith(`${m.containerPath.replace(/\/$/, '')}/`),
    );
    if (!mount) return value;
    const rest = value.slice(mount.containerPath.length).replace(/^\//, '');
    return rest === '' ? mount.localPath : join(mount.localPath, rest);
  };

  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    let value: string;
    if (variable.value !== undefined) {
      value = variable.value;
    } else if (variable.valueFrom?.fieldRef) {
      value = fieldOf(pod, variable.valueFrom.fieldRef.fieldPath);
    } else if (variable.valueFrom?.secretKeyRef) {
      const ref = variable.valueFrom.secretKeyRef;
      const found = (await secretData(kubectl, namespace, ref.name))[ref.key];
      if (found === undefined) {
        if (ref.optional) continue;
        throw new Error(`secret ${ref.name} has no key ${ref.key}`);
      }
      value = found;
    } else {
      throw new Error(`pod ${pod.metadata.name}: env ${variable.name} has a source this test cannot resolve`);
    }
    env[variable.name] = throughServices(local(value), namespace, standIns.services);
  }
  return { env: { ...env, ...standIns.overrides }, command: container.command };
}

/** The Pods matching a label selector, as the API server holds them. */
export async function podsOf(kubectl: Kubectl, namespace: string, selector: string): Promise<PodObject[]> {
  const list = JSON.parse(await kubectl(['get', 'pods', '-n', namespace, '-l', selector, '-o', 'json'])) as {
    items: PodObject[];
  };
  return list.items;
}
