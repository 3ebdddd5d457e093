// Tier 4: dashboard replicas over Redis in the chart: the Deployment's replicas, the SSS_REDIS_* settings with the
// password as a mounted Secret file, the PodDisruptionBudget, anti-affinity and spread, the headless Service the
// helm test asks each replica through, the StatefulSet that gives each replica a claim of its own with persistence,
// and the schema refusing what cannot work (replicas without Redis, one existing claim for several replicas, a
// password in the URL).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { container, envOf, helm, type K8sObject, podSpec, render, renderError } from './chart';
import { restrictedViolations } from './pod-security';

const selector = {
  'app.kubernetes.io/name': 'simple-server-status',
  'app.kubernetes.io/instance': 'sss',
  'app.kubernetes.io/component': 'dashboard',
};

interface LabelRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

/** Kubernetes' label selector semantics: every matchLabels pair and every matchExpressions requirement holds. */
function selects(
  selector: { matchLabels?: Record<string, string>; matchExpressions?: LabelRequirement[] },
  labels: Record<string, string>,
): boolean {
  const pairs = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return (
    pairs &&
    (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
      const has = key in labels;
      switch (operator) {
        case 'In':
          return has && values.includes(labels[key] as string);
        case 'NotIn':
          return !has || !values.includes(labels[key] as string);
        case 'Exists':
          return has;
        default:
          return !has; // DoesNotExist
      }
    })
  );
}

describe.skipIf(!helm)('chart: dashboard replicas over Redis', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sss-replicas-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A values file, so numbers stay numbers (--set would make them strings only where the schema allows). */
  function valuesFile(name: string, yaml: string): string {
    const path = join(dir, `${name}.yaml`);
    writeFileSync(path, yaml);
    return path;
  }

  it('renders one replica with no Redis, PodDisruptionBudget, anti-affinity or headless Service by default', () => {
    const manifests = render();
    const deployment = manifests.one('Deployment', 'sss-dashboard');
    expect(deployment.spec.replicas).toBe(1);
    expect(podSpec(deployment).affinity).toBeUndefined();
    expect(
      Object.keys(envOf(container(deployment, 'dashboard'))).filter((n) => /REDIS|REPLICA/.test(n)),
    ).toEqual([]);
    expect(manifests.has('PodDisruptionBudget')).toBe(false);
    expect(manifests.has('Service', 'sss-dashboard-headless')).toBe(false);
    expect(envOf(container(manifests.one('Pod', 'sss-test'), 'check')).REPLICAS_URL).toBeUndefined();
  });

  it('renders ci/replicas-redis-values.yaml: three replicas, Redis settings, the password and CA as files', () => {
    const manifests = render({ values: ['ci/replicas-redis-values.yaml'] });
    const deployment = manifests.one('Deployment', 'sss-dashboard');
    expect(deployment.spec.replicas).toBe(3);
    // Replicas roll one by one, a new one ready before an old one goes.
    expect(deployment.spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
    });
    const dashboard = container(deployment, 'dashboard');
    const env = envOf(dashboard);
    expect(env.SSS_REDIS_URL).toEqual({ name: 'SSS_REDIS_URL', value: 'rediss://redis.redis.svc:6380/0' });
    expect(env.SSS_REDIS_PREFIX?.value).toBe('sss-ci');
    expect(env.SSS_REPLICA_ID).toEqual({
      name: 'SSS_REPLICA_ID',
      valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
    });
    expect(env.SSS_REDIS_PASSWORD_FILE?.value).toBe('/etc/sss/redis/password');
    expect(env.SSS_REDIS_CA_FILE?.value).toBe('/etc/sss/redis-ca/ca.crt');
    expect(dashboard.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'redis-password', mountPath: '/etc/sss/redis', readOnly: true },
        { name: 'redis-ca', mountPath: '/etc/sss/redis-ca', readOnly: true },
      ]),
    );
    const volumes = podSpec(deployment).volumes;
    expect(volumes).toContainEqual({
      name: 'redis-password',
      secret: { secretName: 'sss-redis', defaultMode: 0o440, items: [{ key: 'password', path: 'password' }] },
    });
    expect(volumes).toContainEqual({
      name: 'redis-ca',
      secret: { secretName: 'sss-redis-ca', defaultMode: 0o444, items: [{ key: 'ca.crt', path: 'ca.crt' }] },
    });
    // Each replica keeps its own history in an emptyDir; without persistence no StatefulSet and no claim.
    expect(volumes).toContainEqual({ name: 'data', emptyDir: {} });
    expect(manifests.has('StatefulSet')).toBe(false);
    expect(manifests.has('PersistentVolumeClaim')).toBe(false);
    expect(restrictedViolations(podSpec(deployment))).toEqual([]);
  });

  it('renders ci/replicas-persistence-values.yaml as a StatefulSet with a claim per replica, no Deployment or PVC', () => {
    const manifests = render({ values: ['ci/replicas-persistence-values.yaml'] });
    expect(manifests.has('Deployment')).toBe(false);
    expect(manifests.has('PersistentVolumeClaim')).toBe(false);
    const sts = manifests.one('StatefulSet', 'sss-dashboard');
    expect(sts.apiVersion).toBe('apps/v1');
    expect(sts.metadata.labels).toMatchObject(selector);
    const { template, volumeClaimTemplates, ...spec } = sts.spec;
    expect(spec).toEqual({
      replicas: 3,
      revisionHistoryLimit: 10,
      serviceName: 'sss-dashboard-headless',
      // Peers: all start at once, and a lost one is replaced without waiting for its lower ordinals.
      podManagementPolicy: 'Parallel',
      // One pod at a time is deleted and recreated on its own claim; no surge pod could mount it elsewhere.
      updateStrategy: { type: 'RollingUpdate' },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      selector: { matchLabels: selector },
    });
    expect(template.metadata.labels).toMatchObject(selector);
    // The Service the StatefulSet names exists, headless, selecting these pods.
    const headless = manifests.one('Service', 'sss-dashboard-headless');
    expect(headless.spec).toMatchObject({ clusterIP: 'None', selector });
    // Replica n mounts data-sss-dashboard-n, made from dashboard.persistence; only the stable selector labels,
    // because Kubernetes refuses any change to volumeClaimTemplates and the chart version is in the other labels.
    expect(volumeClaimTemplates).toEqual([
      {
        metadata: {
          name: 'data',
          labels: selector,
          annotations: { 'backup.example.org/schedule': 'daily' },
        },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } },
      },
    ]);
    const pod = podSpec(sts);
    expect(pod.volumes.map((v: { name: string }) => v.name)).not.toContain('data');
    const dashboard = container(sts, 'dashboard');
    expect(dashboard.volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/sss' });
    expect(envOf(dashboard).SSS_DATA_DIR?.value).toBe('/var/lib/sss');
    expect(envOf(dashboard).SSS_REPLICA_ID?.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    expect(restrictedViolations(pod)).toEqual([]);
    // The PodDisruptionBudget and the anti-affinity select the StatefulSet's pods as they did the Deployment's.
    expect(manifests.one('PodDisruptionBudget', 'sss-dashboard').spec.selector).toEqual({
      matchLabels: selector,
    });
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual([
      {
        weight: 100,
        podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } },
      },
    ]);
    expect(envOf(container(manifests.one('Pod', 'sss-test'), 'check'))).toMatchObject({
      REPLICAS_URL: { value: 'http://sss-dashboard-headless:8900' },
      REPLICAS: { value: '3' },
    });
  });

  it('gives the StatefulSet the very pod template of the Deployment, but for the data volume', () => {
    // Every optional part of the pod on: Redis password and CA, config, notifications, metrics token, spread.
    const set = {
      'dashboard.servers[0].id': 'node-1',
      'dashboard.notificationSecrets[0]': 'receivers',
      'metrics.token.enabled': true,
      'dashboard.podAnnotations.a': 'b',
      'dashboard.podLabels.c': 'd',
      'dashboard.priorityClassName': 'high',
    };
    const values = ['ci/replicas-redis-values.yaml'];
    const deployment = render({ values, set }).one('Deployment', 'sss-dashboard');
    const sts = render({ values, set: { ...set, 'dashboard.persistence.enabled': true } }).one(
      'StatefulSet',
      'sss-dashboard',
    );
    const withoutData = structuredClone(deployment.spec.template);
    withoutData.spec.volumes = withoutData.spec.volumes.filter((v: { name: string }) => v.name !== 'data');
    expect(sts.spec.template).toEqual(withoutData);
    expect(sts.spec.selector).toEqual(deployment.spec.selector);
    expect(sts.metadata.labels).toEqual(deployment.metadata.labels);
  });

  it('deletes the claims with the StatefulSet without keepOnUninstall, and takes the class and modes asked for', () => {
    const base =
      'dashboard:\n  replicas: 2\n  redis:\n    url: redis://redis:6379\n  persistence:\n    enabled: true\n';
    const claimOf = (sts: K8sObject) => sts.spec.volumeClaimTemplates[0];
    const deleted = render({
      values: [
        valuesFile(
          'delete',
          `${base}    keepOnUninstall: false\n    storageClass: fast-ssd\n    accessModes: [ReadWriteOncePod]\n    size: 500Mi\n`,
        ),
      ],
    }).one('StatefulSet', 'sss-dashboard');
    expect(deleted.spec.replicas).toBe(2);
    expect(deleted.spec.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: 'Delete',
      whenScaled: 'Retain',
    });
    expect(claimOf(deleted)).toEqual({
      metadata: { name: 'data', labels: selector },
      spec: {
        accessModes: ['ReadWriteOncePod'],
        storageClassName: 'fast-ssd',
        resources: { requests: { storage: '500Mi' } },
      },
    });
    const none = render({ values: [valuesFile('no-class', `${base}    storageClass: "-"\n`)] }).one(
      'StatefulSet',
      'sss-dashboard',
    );
    expect(claimOf(none).spec.storageClassName).toBe('');
  });

  it('keeps one replica with persistence a Deployment on the claim sss-dashboard-data, as before', () => {
    const manifests = render({
      values: [
        valuesFile(
          'one',
          'dashboard:\n  redis:\n    url: redis://redis:6379\n  persistence:\n    enabled: true\n',
        ),
      ],
    });
    expect(manifests.has('StatefulSet')).toBe(false);
    const deployment = manifests.one('Deployment', 'sss-dashboard');
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(podSpec(deployment).volumes).toContainEqual({
      name: 'data',
      persistentVolumeClaim: { claimName: 'sss-dashboard-data' },
    });
    expect(manifests.one('PersistentVolumeClaim', 'sss-dashboard-data').metadata.annotations).toEqual({
      'helm.sh/resource-policy': 'keep',
    });
  });

  it('accepts an existingClaim left over with persistence off, and several replicas with persistence on', () => {
    const base = 'dashboard:\n  replicas: 2\n  redis:\n    url: redis://redis:6379\n';
    const off = render({
      values: [
        valuesFile('claim-off', `${base}  persistence:\n    enabled: false\n    existingClaim: history\n`),
      ],
    });
    expect(podSpec(off.one('Deployment', 'sss-dashboard')).volumes).toContainEqual({
      name: 'data',
      emptyDir: {},
    });
    const on = render({ values: [valuesFile('on', `${base}  persistence:\n    enabled: true\n`)] });
    expect(on.one('StatefulSet', 'sss-dashboard').spec.replicas).toBe(2);
  });

  it('adds a PodDisruptionBudget, soft anti-affinity per node and the zone spread with the pods’ labels', () => {
    const manifests = render({ values: ['ci/replicas-redis-values.yaml'] });
    const pdb = manifests.one('PodDisruptionBudget', 'sss-dashboard');
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: selector } });
    const spec = podSpec(manifests.one('Deployment', 'sss-dashboard'));
    expect(spec.affinity).toEqual({
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              topologyKey: 'kubernetes.io/hostname',
              labelSelector: { matchLabels: selector },
            },
          },
        ],
      },
    });
    expect(spec.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: selector },
      },
    ]);
    const headless = manifests.one('Service', 'sss-dashboard-headless');
    expect(headless.spec).toEqual({
      clusterIP: 'None',
      selector,
      ports: [{ name: 'http', port: 8900, targetPort: 'http', protocol: 'TCP' }],
    });
    expect(envOf(container(manifests.one('Pod', 'sss-test'), 'check'))).toMatchObject({
      REPLICAS_URL: { value: 'http://sss-dashboard-headless:8900' },
      REPLICAS: { value: '3' },
    });
  });

  it('with replicas and a ServiceMonitor, exactly one Service matches its selector (not the headless one too)', () => {
    const manifests = render({
      values: ['ci/replicas-redis-values.yaml'],
      set: { 'metrics.serviceMonitor.enabled': true },
    });
    const { selector: chosen } = manifests.one('ServiceMonitor', 'sss-dashboard').spec as {
      selector: { matchLabels?: Record<string, string>; matchExpressions?: LabelRequirement[] };
    };
    const matched = manifests
      .all('Service')
      .filter((service) => selects(chosen, service.metadata.labels ?? {}))
      .map((service) => service.metadata.name);
    expect(manifests.has('Service', 'sss-dashboard-headless')).toBe(true);
    expect(matched).toEqual(['sss-dashboard']);
  });

  it('makes anti-affinity hard, per zone, or none; an explicit affinity wins; the PDB takes a percentage', () => {
    const base = 'dashboard:\n  replicas: 2\n  redis:\n    url: redis://redis:6379\n';
    const hard = render({
      values: [
        valuesFile(
          'hard',
          `${base}  podAntiAffinity: hard\n  podAntiAffinityTopologyKey: topology.kubernetes.io/zone\n  podDisruptionBudget:\n    maxUnavailable: 50%\n`,
        ),
      ],
    });
    expect(podSpec(hard.one('Deployment', 'sss-dashboard')).affinity).toEqual({
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: selector } },
        ],
      },
    });
    expect(hard.one('PodDisruptionBudget', 'sss-dashboard').spec.maxUnavailable).toBe('50%');
    const none = render({ values: [valuesFile('none', `${base}  podAntiAffinity: none\n`)] });
    expect(podSpec(none.one('Deployment', 'sss-dashboard')).affinity).toBeUndefined();
    const own = {
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } },
    };
    const explicit = render({ values: [valuesFile('own', `${base}  affinity: ${JSON.stringify(own)}\n`)] });
    expect(podSpec(explicit.one('Deployment', 'sss-dashboard')).affinity).toEqual(own);
    const noPdb = render({
      values: [valuesFile('nopdb', `${base}  podDisruptionBudget:\n    enabled: false\n`)],
    });
    expect(noPdb.has('PodDisruptionBudget')).toBe(false);
  });

  it('passes Redis to a single replica too, without a password or CA, under the release’s own prefix', () => {
    const deployment = render({ set: { 'dashboard.redis.url': 'redis://valkey:6379' } }).one(
      'Deployment',
      'sss-dashboard',
    );
    const env = envOf(container(deployment, 'dashboard'));
    expect(env.SSS_REDIS_URL?.value).toBe('redis://valkey:6379');
    expect(env.SSS_REDIS_PREFIX?.value).toBe('sss:monitoring:sss');
    expect(env.SSS_REDIS_PASSWORD_FILE).toBeUndefined();
    expect(env.SSS_REDIS_CA_FILE).toBeUndefined();
    expect(podSpec(deployment).volumes.map((v: { name: string }) => v.name)).not.toContain('redis-password');
  });

  it('mounts the CA from a ConfigMap', () => {
    const deployment = render({
      set: {
        'dashboard.redis.url': 'rediss://valkey:6380',
        'dashboard.redis.tls.caConfigMap': 'kube-root-ca.crt',
      },
    }).one('Deployment', 'sss-dashboard');
    expect(podSpec(deployment).volumes).toContainEqual({
      name: 'redis-ca',
      configMap: { name: 'kube-root-ca.crt', defaultMode: 0o444, items: [{ key: 'ca.crt', path: 'ca.crt' }] },
    });
  });

  it.each([
    [
      'replicas 3 without Redis',
      'dashboard:\n  replicas: 3\n',
      ["- at '/dashboard': 'allOf' failed", "- at '/dashboard/redis/url': minLength: got 0, want 1"],
    ],
    [
      'replicas 2 sharing one existing claim',
      'dashboard:\n  replicas: 2\n  redis:\n    url: redis://redis:6379\n  persistence:\n    enabled: true\n    existingClaim: history\n',
      ["- at '/dashboard/persistence/existingClaim': maxLength: got 7, want 0"],
    ],
    ['replicas 0', 'dashboard:\n  replicas: 0\n', ["- at '/dashboard/replicas': minimum: got 0, want 1"]],
    [
      'a password in the Redis URL',
      'dashboard:\n  redis:\n    url: redis://default:hunter2@redis:6379\n',
      ["- at '/dashboard/redis/url': 'redis://default:hunter2@redis:6379' does not match pattern"],
    ],
    [
      'a URL that is not Redis',
      'dashboard:\n  redis:\n    url: http://redis:6379\n',
      ["- at '/dashboard/redis/url'"],
    ],
    [
      'a CA from both a Secret and a ConfigMap',
      'dashboard:\n  redis:\n    tls:\n      caSecret: a\n      caConfigMap: b\n',
      ["- at '/dashboard/redis/tls/caConfigMap': maxLength: got 1, want 0"],
    ],
    [
      'a CA with a plain redis:// URL',
      'dashboard:\n  redis:\n    url: redis://redis:6379\n    tls:\n      caSecret: redis-ca\n',
      ["- at '/dashboard/redis/url': 'redis://redis:6379' does not match pattern '^rediss://'"],
    ],
    [
      'a prefix the dashboard refuses',
      'dashboard:\n  redis:\n    prefix: sss prod\n',
      ["- at '/dashboard/redis/prefix': 'sss prod' does not match pattern"],
    ],
    [
      'an unknown Redis key',
      'dashboard:\n  redis:\n    host: redis\n',
      ["- at '/dashboard/redis': additional properties 'host' not allowed"],
    ],
    [
      'an anti-affinity mode that does not exist',
      'dashboard:\n  podAntiAffinity: strict\n',
      ["- at '/dashboard/podAntiAffinity': value must be one of 'soft', 'hard', 'none'"],
    ],
    [
      'a spread constraint without whenUnsatisfiable',
      'dashboard:\n  topologySpreadConstraints:\n    - {maxSkew: 1, topologyKey: zone}\n',
      ["- at '/dashboard/topologySpreadConstraints/0': missing property 'whenUnsatisfiable'"],
    ],
    [
      'a disruption budget that is no number or percentage',
      'dashboard:\n  podDisruptionBudget:\n    maxUnavailable: one\n',
      ["- at '/dashboard/podDisruptionBudget/maxUnavailable': 'one' does not match pattern"],
    ],
  ])('refuses %s with the schema message', (name, yaml, messages) => {
    const stderr = renderError({ values: [valuesFile(name.replace(/\W+/g, '-'), yaml)] });
    expect(stderr).toContain("values don't meet the specifications of the schema(s)");
    for (const message of messages) expect(stderr).toContain(message);
  });
});
