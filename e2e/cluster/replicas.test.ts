// Acceptance 6 of the replicas issue in the real control plane: the chart with dashboard.replicas 3 and Redis
// installs (`helm install --wait`), the scheduler puts the three dashboard Pods on three Nodes (anti-affinity), the
// disruption controller counts them under the PodDisruptionBudget, and the schema refuses replicas 3 without Redis.
// kwok runs no container, so the Pods' Redis URL needs no server to install; `helm test` then runs against three real
// dashboard processes, each with the environment its Pod resolves to (its name as SSS_REPLICA_ID, the password from
// the chart's Secret mount), sharing a real redis-server. Stand-ins (e2e/cluster/pod-env.ts): the Redis Service is
// 127.0.0.1 and the redis-server's port; each Pod's IP is a loopback address of its own (127.0.0.2-4, one port),
// which the headless Service's name resolves to in the check (e2e/support/dns-stand-in.ts); agent i reports to
// replica i, as the Service's load balancing might spread them.
// The second suite installs replicas 3 with Redis and persistence: a StatefulSet whose controller makes a claim per
// replica, bound to volumes the test makes (stand-ins for a provisioner), kept or deleted on uninstall as asked; and
// one replica on the chart's claim grown into three by helm upgrade, then shrunk back onto the kept claim.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartDir, type K8sObject } from '../chart/chart';
import { dnsStandIn } from '../support/dns-stand-in';
import { agentMain, dashboardMain } from '../support/paths';
import { freePort } from '../support/ports';
import { newSecret, type Program, startProgram, stopAll } from '../support/processes';
import { type RedisServer, redisServerPath, startRedis } from '../support/redis';
import { eventually } from './assertions';
import { type ControlPlane, findControlPlaneTools, startControlPlane } from './control-plane';
import { helmTest } from './helm-test';
import { type Kubectl, type PodObject, podsOf, resolveContainer } from './pod-env';

const tools = findControlPlaneTools();
const namespace = 'sss';
const release = 'sss';
const nodes = ['sss-node-1', 'sss-node-2', 'sss-node-3'];
const dashboardSelector = 'app.kubernetes.io/component=dashboard';
const selectorLabels = {
  'app.kubernetes.io/name': 'simple-server-status',
  'app.kubernetes.io/instance': release,
  'app.kubernetes.io/component': 'dashboard',
};

interface Replica {
  pod: PodObject;
  program: Program;
  /** The loopback address standing in for the Pod's IP. */
  host: string;
  url: string;
}

describe.skipIf(!tools || !redisServerPath)('dashboard replicas over Redis in a real control plane', () => {
  let cp: ControlPlane;
  let kubectl: Kubectl;
  let redis: RedisServer;
  let port: number;
  const replicas: Replica[] = [];
  const password = newSecret();
  const dir = mkdtempSync(join(tmpdir(), 'sss-cluster-replicas-'));

  async function startReplicas(): Promise<void> {
    const pods = (await podsOf(kubectl, namespace, dashboardSelector)).sort((a, b) =>
      a.metadata.name.localeCompare(b.metadata.name),
    );
    const token = (
      await kubectl(['create', 'token', 'sss-dashboard', '-n', namespace, '--duration=1h'])
    ).trim();
    for (const [i, pod] of pods.entries()) {
      const host = `127.0.0.${i + 2}`;
      const { env } = await resolveContainer(kubectl, pod, 'dashboard', dir, {
        services: new Map([['sss-redis', redis.port]]),
        overrides: { SSS_PORT: String(port), SSS_HOST: host, KUBECONFIG: cp.kubeconfigFor(token) },
      });
      expect(env).toMatchObject({
        SSS_REPLICA_ID: pod.metadata.name,
        SSS_REDIS_URL: redis.url,
        SSS_REDIS_PREFIX: 'sss:sss:sss',
      });
      expect(readFileSync(env.SSS_REDIS_PASSWORD_FILE ?? '', 'utf8')).toBe(password);
      const program = startProgram('dashboard', dashboardMain, env);
      await program.waitForLog((l) => l.msg === 'listening', 15_000);
      replicas.push({ pod, program, host, url: `http://${host}:${port}` });
    }
  }

  async function startAgents(): Promise<void> {
    const pods = await podsOf(kubectl, namespace, 'app.kubernetes.io/component=agent');
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual(nodes);
    for (const [i, pod] of pods.entries()) {
      const replica = replicas[i % replicas.length] as Replica;
      const { env } = await resolveContainer(kubectl, pod, 'agent', dir, {
        services: new Map(),
        overrides: { SSS_HEALTH_PORT: '0', SSS_DASHBOARD_URL: `ws://${replica.host}:${port}/ws-report` },
      });
      startProgram('agent', agentMain, env);
    }
  }

  beforeAll(async () => {
    cp = await startControlPlane({ nodes: 0 });
    kubectl = (args, input) => cp.kubectl(args, input === undefined ? {} : { input });
    for (const [i, node] of nodes.entries()) await cp.createNode(node, { zone: `zone-${'abc'[i]}` });
    await cp.waitForNodesReady();
    await kubectl(['create', 'namespace', namespace]);
    await kubectl([
      'create',
      'secret',
      'generic',
      'sss-redis',
      '-n',
      namespace,
      `--from-literal=password=${password}`,
    ]);
    await cp.helm([
      'install',
      release,
      chartDir,
      '-n',
      namespace,
      '--wait',
      '--timeout',
      '90s',
      '--set',
      'dashboard.replicas=3',
      '--set',
      'dashboard.redis.url=redis://sss-redis:6379',
      '--set',
      'dashboard.redis.existingSecret=sss-redis',
      '--set',
      'dashboard.redis.passwordKey=password',
    ]);
    redis = await startRedis(['--requirepass', password]);
    port = await freePort();
    await startReplicas();
    await startAgents();
  }, 240_000);

  afterAll(async () => {
    await stopAll();
    await redis?.close();
    await cp?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('installs with replicas 3: three available dashboard Pods, each on a Node of its own', async () => {
    const deploy = JSON.parse(
      await kubectl(['get', 'deployment', 'sss-dashboard', '-n', namespace, '-o', 'json']),
    );
    expect(deploy.spec.replicas).toBe(3);
    expect(deploy.status.availableReplicas).toBe(3);
    const pods = await podsOf(kubectl, namespace, dashboardSelector);
    expect(pods.map((p) => p.status.phase)).toEqual(['Running', 'Running', 'Running']);
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual(nodes);
    const affinity = JSON.parse(
      await kubectl([
        'get',
        'pod',
        pods[0]?.metadata.name ?? '',
        '-n',
        namespace,
        '-o',
        'jsonpath={.spec.affinity}',
      ]),
    );
    expect(affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual([
      {
        weight: 100,
        podAffinityTerm: {
          topologyKey: 'kubernetes.io/hostname',
          labelSelector: { matchLabels: selectorLabels },
        },
      },
    ]);
  });

  it('has a PodDisruptionBudget the disruption controller counts: 3 expected, 3 healthy, 1 disruption allowed', async () => {
    const pdb = await eventually(async () => {
      const found = JSON.parse(
        await kubectl(['get', 'poddisruptionbudget', 'sss-dashboard', '-n', namespace, '-o', 'json']),
      );
      expect(found.status).toMatchObject({ expectedPods: 3, currentHealthy: 3, disruptionsAllowed: 1 });
      return found;
    }, 30_000);
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: selectorLabels } });
  });

  it('lists every Node online on every replica, each agent reporting to one replica only', async () => {
    for (const replica of replicas) {
      await eventually(async () => {
        const listed = (await (await fetch(`${replica.url}/api/servers`)).json()) as {
          serverId: string;
          online: boolean;
        }[];
        expect(
          listed
            .filter((s) => s.online)
            .map((s) => s.serverId)
            .sort(),
          replica.pod.metadata.name,
        ).toEqual(nodes);
      }, 30_000);
    }
  });

  /** `helm test` with the headless Service's name resolving to the processes playing the Pods its endpoints list. */
  async function replicasHelmTest() {
    const slices = JSON.parse(
      await kubectl([
        'get',
        'endpointslices',
        '-n',
        namespace,
        '-l',
        'kubernetes.io/service-name=sss-dashboard-headless',
        '-o',
        'json',
      ]),
    ) as { items: { endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[] }[] };
    const podIps = slices.items.flatMap((s) =>
      (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).flatMap((e) => e.addresses),
    );
    const byIp = new Map(replicas.map((r) => [r.pod.status.podIP, r.host]));
    expect(podIps.sort()).toEqual([...byIp.keys()].sort());
    const [first] = replicas;
    return helmTest({
      cp,
      kubectl,
      release,
      namespace,
      dir,
      standIns: {
        services: new Map(),
        // The Service sends the check to one replica; a Pod's port is the container port, the same on each.
        overrides: { DASHBOARD_URL: first?.url ?? '', REPLICAS_URL: `http://sss-dashboard-headless:${port}` },
      },
      nodeOptions: dnsStandIn({ 'sss-dashboard-headless': podIps.map((ip) => byIp.get(ip) ?? ip) }),
    });
  }

  it('passes helm test: the check asked all three replicas, through the headless Service, and they agree', async () => {
    const result = await replicasHelmTest();
    expect(result.checkOutput).toBe(
      `ok: GET /readyz 200; GET /api/servers lists ${nodes.join(', ')}; all 3 replicas list the same 3 servers`,
    );
    expect(result.checkCode).toBe(0);
    expect(result.helm.code).toBe(0);
    expect(result.helm.output).toContain('Phase:          Succeeded');
  }, 90_000);

  it('fails helm test naming the replica that does not answer', async () => {
    await cp.helm([
      'upgrade',
      release,
      chartDir,
      '-n',
      namespace,
      '--reuse-values',
      '--set',
      'tests.timeoutSeconds=3',
    ]);
    const down = replicas[2] as Replica;
    await down.program.stop();
    const result = await replicasHelmTest();
    expect(result.checkOutput).toContain(`replica ${down.host}: TypeError: fetch failed`);
    expect(result.checkCode).toBe(1);
    expect(result.helm.code).not.toBe(0);
  }, 90_000);

  it('refuses replicas 3 without Redis through helm install, and installs nothing', async () => {
    await expect(
      cp.helm(['install', 'no-redis', chartDir, '-n', namespace, '--set', 'dashboard.replicas=3']),
    ).rejects.toThrow("- at '/dashboard/redis/url': minLength: got 0, want 1");
    expect((await cp.helm(['list', '-n', namespace, '-q'])).trim()).toBe(release);
  });
});

describe.skipIf(!tools)('dashboard replicas with a claim each (StatefulSet) in a real control plane', () => {
  let cp: ControlPlane;
  let kubectl: Kubectl;
  const suffix = randomBytes(4).toString('hex');
  const ns = `sss-sts-${suffix}`;
  const stsRelease = 'hist';
  const sts = `${stsRelease}-dashboard`;
  const claims = [0, 1, 2].map((i) => `data-${sts}-${i}`);
  const storageClass = `sss-test-${suffix}`;
  const volumes = [0, 1, 2].map((i) => `sss-test-${suffix}-${i}`);
  const restricted = `sss-sts-restricted-${suffix}`;
  const install = (...set: string[]) =>
    cp.helm(
      [
        'install',
        stsRelease,
        chartDir,
        '-n',
        ns,
        '--wait',
        '--timeout',
        '90s',
        '-f',
        join(chartDir, 'ci/replicas-persistence-values.yaml'),
        '--set',
        `dashboard.persistence.storageClass=${storageClass}`,
        ...set.flatMap((value) => ['--set', value]),
      ],
      { timeoutMs: 120_000 },
    );
  const uninstall = () => cp.helm(['uninstall', stsRelease, '-n', ns, '--wait', '--timeout', '60s']);
  const getJson = async (...args: string[]): Promise<K8sObject> =>
    JSON.parse(await kubectl(['get', ...args, '-o', 'json']));
  const claimsNow = async (namespace = ns): Promise<K8sObject[]> =>
    ((await getJson('pvc', '-n', namespace)).items as K8sObject[]).sort((a, b) =>
      a.metadata.name.localeCompare(b.metadata.name),
    );
  /**
   * Stand-ins for a provisioner (this cluster has none): a class that binds at once (the cluster's default one if
   * asked), and volumes of 5Gi that nothing backs (kwok runs no container, so nothing ever mounts them).
   */
  const provisionerStandIn = (className: string, names: string[], isDefault = false) =>
    kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {
            apiVersion: 'storage.k8s.io/v1',
            kind: 'StorageClass',
            metadata: {
              name: className,
              annotations: { 'storageclass.kubernetes.io/is-default-class': String(isDefault) },
            },
            provisioner: 'kubernetes.io/no-provisioner',
            volumeBindingMode: 'Immediate',
            reclaimPolicy: 'Retain',
          },
          ...names.map((name) => ({
            apiVersion: 'v1',
            kind: 'PersistentVolume',
            metadata: { name },
            spec: {
              storageClassName: className,
              capacity: { storage: '5Gi' },
              accessModes: ['ReadWriteOnce'],
              persistentVolumeReclaimPolicy: 'Retain',
              hostPath: { path: `/tmp/${name}` },
            },
          })),
        ],
      }),
    );

  beforeAll(async () => {
    cp = await startControlPlane({ nodes: 0 });
    kubectl = (args, input) => cp.kubectl(args, input === undefined ? {} : { input });
    for (const [i, node] of nodes.entries()) await cp.createNode(node, { zone: `zone-${'abc'[i]}` });
    await cp.waitForNodesReady();
    await kubectl(['create', 'namespace', ns]);
  }, 120_000);

  afterAll(async () => {
    await cp?.stop();
  }, 60_000);

  it('gives each of 3 replicas its own bound claim on its own Node, kept by helm uninstall, deleted without keepOnUninstall', async () => {
    try {
      await provisionerStandIn(storageClass, volumes);
      await install();

      const set = await getJson('statefulset', sts, '-n', ns);
      expect(set.spec).toMatchObject({
        replicas: 3,
        serviceName: `${sts}-headless`,
        podManagementPolicy: 'Parallel',
        // Kept by the API server: the field is GA (1.32), not dropped behind a disabled feature gate.
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      });
      expect(set.status).toMatchObject({ replicas: 3, readyReplicas: 3 });
      // No Deployment, and no claim but the replicas' (not the single replica's <fullname>-dashboard-data).
      expect((await kubectl(['get', 'deployments,pvc', '-n', ns, '-o', 'name'])).trim().split('\n')).toEqual(
        claims.map((name) => `persistentvolumeclaim/${name}`),
      );

      const pods = (await podsOf(kubectl, ns, dashboardSelector)).sort((a, b) =>
        a.metadata.name.localeCompare(b.metadata.name),
      );
      expect(pods.map((p) => p.metadata.name)).toEqual([0, 1, 2].map((i) => `${sts}-${i}`));
      expect(pods.map((p) => p.status.phase)).toEqual(['Running', 'Running', 'Running']);
      // Spread by the anti-affinity: one replica per Node.
      expect(pods.map((p) => p.spec.nodeName).sort()).toEqual(nodes);
      const bound = await claimsNow();
      expect(bound.map((c) => c.metadata.name)).toEqual(claims);
      for (const [i, pod] of pods.entries()) {
        const data = (pod.spec.volumes ?? []).find((v) => v.name === 'data') as K8sObject | undefined;
        expect(data?.persistentVolumeClaim, pod.metadata.name).toEqual({ claimName: claims[i] });
        const claim = bound[i] as K8sObject;
        expect(claim.status.phase, claim.metadata.name).toBe('Bound');
        expect(claim.spec).toMatchObject({
          storageClassName: storageClass,
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '2Gi' } },
        });
        expect(claim.metadata.labels).toEqual({
          ...selectorLabels,
          'app.kubernetes.io/instance': stsRelease,
        });
        expect(claim.metadata.annotations).toMatchObject({ 'backup.example.org/schedule': 'daily' });
        // Retain: the StatefulSet does not own the claims, so deleting it deletes none.
        expect(claim.metadata.ownerReferences).toBeUndefined();
      }
      const claimVolumes = bound.map((c) => c.spec.volumeName as string);
      expect([...claimVolumes].sort()).toEqual(volumes);

      // A pod the StatefulSet controller made is admitted where the restricted Pod Security Standard is enforced.
      await kubectl(['create', 'namespace', restricted]);
      await kubectl(['label', 'namespace', restricted, 'pod-security.kubernetes.io/enforce=restricted']);
      await kubectl(['create', 'serviceaccount', sts, '-n', restricted]);
      const made = await getJson('pod', `${sts}-0`, '-n', ns);
      const admitted = await kubectl(
        ['create', '--dry-run=server', '-o', 'name', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: made.metadata.name, namespace: restricted },
          spec: made.spec,
        }),
      );
      expect(admitted.trim()).toBe(`pod/${sts}-0`);

      // The claims are fixed at install, as values.yaml says: Kubernetes refuses a changed size.
      await expect(
        cp.helm([
          'upgrade',
          stsRelease,
          chartDir,
          '-n',
          ns,
          '--reuse-values',
          '--set',
          'dashboard.persistence.size=3Gi',
        ]),
      ).rejects.toThrow(/Forbidden: updates to statefulset spec for fields other than/);

      await uninstall();
      await eventually(async () => {
        expect((await podsOf(kubectl, ns, dashboardSelector)).map((p) => p.metadata.name)).toEqual([]);
      }, 60_000);
      expect(await kubectl(['get', 'statefulsets', '-n', ns, '-o', 'name'])).toBe('');
      // keepOnUninstall: the claims stay, still bound to their volumes.
      const kept = await claimsNow();
      expect(kept.map((c) => [c.metadata.name, c.status.phase, c.spec.volumeName])).toEqual(
        claims.map((name, i) => [name, 'Bound', claimVolumes[i]]),
      );

      // Installed again without keepOnUninstall: each replica mounts its old claim, which the StatefulSet now owns
      // and deletes with itself.
      await install('dashboard.persistence.keepOnUninstall=false');
      const owned = await eventually(async () => {
        const now = await claimsNow();
        for (const claim of now)
          expect(claim.metadata.ownerReferences, claim.metadata.name).toEqual([
            expect.objectContaining({ kind: 'StatefulSet', name: sts }),
          ]);
        return now;
      }, 30_000);
      expect(owned.map((c) => c.spec.volumeName)).toEqual(claimVolumes);
      await uninstall();
      await eventually(async () => {
        expect((await claimsNow()).map((c) => c.metadata.name)).toEqual([]);
      }, 60_000);
    } finally {
      await uninstall().catch(() => undefined);
      await kubectl(['delete', 'pvc', '--all', '-n', ns, '--wait=false']).catch(() => undefined);
      await kubectl(['delete', 'pv', ...volumes, '--ignore-not-found', '--wait=false']).catch(
        () => undefined,
      );
      await kubectl(['delete', 'storageclass', storageClass, '--ignore-not-found']).catch(() => undefined);
      await kubectl(['delete', 'namespace', ns, restricted, '--ignore-not-found', '--wait=false']).catch(
        () => undefined,
      );
    }
  }, 300_000);

  it('grows one replica with a claim into three with a claim each (helm upgrade), keeps the single claim, and shrinks back onto it', async () => {
    const growNs = `sss-grow-${suffix}`;
    const grow = 'grow';
    const className = `sss-grow-${suffix}`;
    const growVolumes = [0, 1, 2, 3].map((i) => `sss-grow-${suffix}-${i}`);
    const single = `${grow}-dashboard-data`;
    const helmGrow = (command: 'install' | 'upgrade', values: string) =>
      cp.helm(
        [
          command,
          grow,
          chartDir,
          '-n',
          growNs,
          '--wait',
          '--timeout',
          '90s',
          '-f',
          join(chartDir, values),
          // No class asked for: the claims get the cluster's default one.
          '--set',
          'dashboard.persistence.storageClass=',
          '--set',
          'dashboard.persistence.accessModes={ReadWriteOnce}',
        ],
        { timeoutMs: 120_000 },
      );
    const workloads = async () =>
      (await kubectl(['get', 'deployments,statefulsets', '-n', growNs, '-o', 'name'])).trim().split('\n');
    const claimsOf = async () =>
      (await claimsNow(growNs)).map((c) => [c.metadata.name, c.status.phase, c.spec.volumeName]);
    try {
      await kubectl(['create', 'namespace', growNs]);
      await provisionerStandIn(className, growVolumes, true);

      // One replica keeping its history on the chart's claim (ci/persistence-values.yaml).
      await helmGrow('install', 'ci/persistence-values.yaml');
      expect(await workloads()).toEqual([`deployment.apps/${grow}-dashboard`]);
      const [singleClaim] = await eventually(async () => {
        const now = await claimsOf();
        expect(now).toEqual([[single, 'Bound', expect.any(String)]]);
        return now;
      }, 30_000);
      const singleVolume = singleClaim?.[2];
      expect((await claimsNow(growNs))[0]?.spec.storageClassName).toBe(className);

      // Three replicas with Redis and a claim each: the StatefulSet replaces the Deployment; the single replica's
      // claim is not migrated but kept (helm.sh/resource-policy: keep), still bound to its volume.
      await helmGrow('upgrade', 'ci/replicas-persistence-values.yaml');
      await eventually(async () => {
        expect(await workloads()).toEqual([`statefulset.apps/${grow}-dashboard`]);
        const pods = await podsOf(kubectl, growNs, dashboardSelector);
        expect(pods.map((p) => p.metadata.name).sort()).toEqual(
          [0, 1, 2].map((i) => `${grow}-dashboard-${i}`),
        );
        expect(pods.map((p) => p.status.phase)).toEqual(['Running', 'Running', 'Running']);
      }, 60_000);
      const grown = await claimsOf();
      expect(grown.map(([name, phase]) => [name, phase])).toEqual([
        ...[0, 1, 2].map((i) => [`data-${grow}-dashboard-${i}`, 'Bound']),
        [single, 'Bound'],
      ]);
      expect(grown[3]?.[2]).toBe(singleVolume);

      // Back to one replica by helm upgrade: helm adopts the kept claim again and the Deployment mounts it, its
      // history with it; the replicas' claims stay for a later growth (whenDeleted: Retain). (helm rollback to a
      // revision before the growth fails instead: it patches the kept claim from its live object, which would clear
      // the volume and class Kubernetes set at binding, and a bound claim refuses that; the README says so.)
      await helmGrow('upgrade', 'ci/persistence-values.yaml');
      await eventually(async () => {
        expect(await workloads()).toEqual([`deployment.apps/${grow}-dashboard`]);
        const pods = await podsOf(kubectl, growNs, dashboardSelector);
        expect(pods.map((p) => p.status.phase)).toEqual(['Running']);
        const data = (pods[0]?.spec.volumes ?? []).find((v) => v.name === 'data') as K8sObject | undefined;
        expect(data?.persistentVolumeClaim).toEqual({ claimName: single });
      }, 60_000);
      expect((await claimsOf()).map(([name]) => name)).toEqual(grown.map(([name]) => name));
    } finally {
      await cp.helm(['uninstall', grow, '-n', growNs, '--wait', '--timeout', '60s']).catch(() => undefined);
      await kubectl(['delete', 'pvc', '--all', '-n', growNs, '--wait=false']).catch(() => undefined);
      await kubectl(['delete', 'pv', ...growVolumes, '--ignore-not-found', '--wait=false']).catch(
        () => undefined,
      );
      await kubectl(['delete', 'storageclass', className, '--ignore-not-found']).catch(() => undefined);
      await kubectl(['delete', 'namespace', growNs, '--ignore-not-found', '--wait=false']).catch(
        () => undefined,
      );
    }
  }, 300_000);
});
