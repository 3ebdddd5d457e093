// Tier 4: dashboard replicas over Redis in the chart: the Deployment's replicas, the SSS_REDIS_* settings with the
// password as a mounted Secret file, the PodDisruptionBudget, anti-affinity and spread, the headless Service the
// helm test asks each replica through, and the schema refusing what cannot work (replicas without Redis, a claim
// shared by replicas, a password in the URL).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { container, envOf, helm, podSpec, render, renderError } from './chart';
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
    // Each replica keeps its own history in an emptyDir.
    expect(volumes).toContainEqual({ name: 'data', emptyDir: {} });
    expect(restrictedViolations(podSpec(deployment))).toEqual([]);
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
      'replicas 2 sharing a claim',
      'dashboard:\n  replicas: 2\n  redis:\n    url: redis://redis:6379\n  persistence:\n    enabled: true\n',
      ["- at '/dashboard/persistence/enabled': value must be false"],
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
