// Tier 4: helm lint --strict and helm template of the defaults and of every ci/*-values.yaml scenario, with the
// invariants every scenario must keep (labels, hardened pods, no unknown kinds).
import { describe, expect, it } from 'vitest';
import {
  ciValues,
  container,
  envOf,
  helm,
  type K8sObject,
  type Manifests,
  podSpec,
  render,
  runHelm,
} from './chart';
import { restrictedViolations } from './pod-security';

const required = [
  'default-values.yaml',
  'existing-secret-values.yaml',
  'ingress-servicemonitor-values.yaml',
  'unprivileged-agent-values.yaml',
  'tolerations-resources-values.yaml',
  'persistence-values.yaml',
  'replicas-redis-values.yaml',
  'replicas-persistence-values.yaml',
];

const allowedKinds = new Set([
  'ClusterRole',
  'ClusterRoleBinding',
  'ConfigMap',
  'DaemonSet',
  'Deployment',
  'Ingress',
  'NetworkPolicy',
  'PersistentVolumeClaim',
  'Pod',
  'PodDisruptionBudget',
  'PrometheusRule',
  'Secret',
  'Service',
  'ServiceAccount',
  'ServiceMonitor',
  'StatefulSet',
]);

describe.skipIf(!helm)('chart: lint and render', () => {
  it('ships the required ci scenarios', () => {
    expect(ciValues).toEqual(expect.arrayContaining(required.map((name) => `ci/${name}`)));
  });

  it.each([['(defaults)'], ...ciValues.map((file) => [file])])('helm lint --strict passes: %s', (file) => {
    const args = ['lint', '--strict', '.', ...(file.startsWith('ci/') ? ['-f', file] : [])];
    const result = runHelm(args);
    expect(result.stderr + result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    expect(result.status).toBe(0);
  });

  it.each([['(defaults)'], ...ciValues.map((file) => [file])])(
    'helm template renders labelled, hardened objects: %s',
    (file) => {
      const manifests = render({ values: file.startsWith('ci/') ? [file] : [] });
      expect(manifests.has('DaemonSet', 'sss-agent')).toBe(true);
      // The dashboard is a Deployment, or a StatefulSet for replicas with a claim each; never both.
      const dashboard = dashboardWorkload(manifests);
      expect(manifests.has('Service', 'sss-dashboard')).toBe(true);
      expect(manifests.has('Pod', 'sss-test')).toBe(true);
      for (const object of manifests.objects) {
        const where = `${object.kind}/${object.metadata.name}`;
        expect(allowedKinds.has(object.kind), where).toBe(true);
        const labels = object.metadata.labels as Record<string, string>;
        expect(labels, where).toMatchObject({
          'app.kubernetes.io/name': 'simple-server-status',
          'app.kubernetes.io/instance': 'sss',
          'app.kubernetes.io/version': '0.1.0',
          'app.kubernetes.io/part-of': 'simple-server-status',
          'app.kubernetes.io/managed-by': 'Helm',
          'helm.sh/chart': 'simple-server-status-0.1.0',
        });
        expect(labels['app.kubernetes.io/component'], where).toMatch(
          /^(agent|dashboard|auth|test|monitoring)$/,
        );
        if (!object.kind.startsWith('Cluster')) expect(object.metadata.namespace, where).toBe('monitoring');
      }
      for (const workload of manifests.objects.filter((o) =>
        ['Deployment', 'StatefulSet', 'DaemonSet', 'Pod'].includes(o.kind),
      )) {
        expectHardened(workload);
      }
      // The dashboard meets the restricted Pod Security Standard, and writes history only to a volume.
      expect(restrictedViolations(podSpec(dashboard))).toEqual([]);
      const dataDir = envOf(container(dashboard, 'dashboard')).SSS_DATA_DIR?.value;
      const data = (container(dashboard, 'dashboard').volumeMounts as K8sObject[]).find(
        (m) => m.mountPath === dataDir,
      );
      expect(data, `${dataDir} is mounted`).toBeDefined();
      // The mounted data volume is the pod's own, or the StatefulSet's claim template of that name.
      const volumes = [
        ...(podSpec(dashboard).volumes as K8sObject[]),
        ...((dashboard.spec.volumeClaimTemplates ?? []) as K8sObject[]).map((t) => t.metadata),
      ].map((v) => v.name);
      expect(volumes).toContain(data?.name);
    },
  );
});

/** The dashboard's one workload: the Deployment sss-dashboard or the StatefulSet of that name. */
function dashboardWorkload(manifests: Manifests): K8sObject {
  const found = manifests.objects.filter(
    (o) => ['Deployment', 'StatefulSet'].includes(o.kind) && o.metadata.name === 'sss-dashboard',
  );
  expect(found.map((o) => o.kind)).toHaveLength(1);
  return found[0] as K8sObject;
}

/** What every pod of the chart keeps in every scenario. */
function expectHardened(workload: K8sObject) {
  const where = `${workload.kind}/${workload.metadata.name}`;
  const spec = podSpec(workload);
  if (workload.kind !== 'Pod') {
    // Pod labels carry the selector labels, so the workload selects its own pods.
    expect(workload.spec.template.metadata.labels, where).toMatchObject(workload.spec.selector.matchLabels);
  }
  for (const c of spec.containers as K8sObject[]) {
    expect(c.securityContext.readOnlyRootFilesystem, `${where} ${c.name}`).toBe(true);
    expect(c.resources.requests, `${where} ${c.name}`).toHaveProperty('memory');
    expect(c.resources.limits, `${where} ${c.name}`).toHaveProperty('memory');
    expect(c.image, `${where} ${c.name}`).toMatch(
      /^ghcr\.io\/simple-server-status\/(agent|dashboard):0\.1\.0$/,
    );
    if (!c.securityContext.privileged) {
      expect(c.securityContext.allowPrivilegeEscalation, `${where} ${c.name}`).toBe(false);
      expect(c.securityContext.capabilities.drop, `${where} ${c.name}`).toEqual(['ALL']);
      expect(spec.securityContext.runAsNonRoot, where).toBe(true);
      expect(spec.securityContext.seccompProfile, where).toEqual({ type: 'RuntimeDefault' });
    }
  }
}
