// Tier 4: the dashboard's objects as rendered, field by field: Deployment, Service, ServiceAccount, RBAC, Secrets,
// Ingress, ServiceMonitor, NetworkPolicies and the helm test hook (DESIGN section 8).

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfigFile } from '../../dashboard/src/config';
import { container, envOf, helm, type K8sObject, type Manifests, podSpec, render } from './chart';
import { restrictedViolations } from './pod-security';

const selector = {
  'app.kubernetes.io/name': 'simple-server-status',
  'app.kubernetes.io/instance': 'sss',
  'app.kubernetes.io/component': 'dashboard',
};

describe.skipIf(!helm)('chart: dashboard', () => {
  const defaults = (helm ? render() : undefined) as Manifests;
  const deployment = () => defaults.one('Deployment', 'sss-dashboard');
  const dashboard = () => container(deployment(), 'dashboard');

  it('renders exactly the default set of objects', () => {
    expect(defaults.kinds()).toEqual([
      'ClusterRole/sss-dashboard-monitoring',
      'ClusterRoleBinding/sss-dashboard-monitoring',
      'DaemonSet/sss-agent',
      'Deployment/sss-dashboard',
      'Pod/sss-test',
      'Secret/sss-auth',
      'Service/sss-dashboard',
      'ServiceAccount/sss-agent',
      'ServiceAccount/sss-dashboard',
    ]);
  });

  it('runs one non-root replica with a read-only root filesystem, no capabilities and RuntimeDefault seccomp', () => {
    expect(deployment().spec.replicas).toBe(1);
    expect(deployment().spec.selector).toEqual({ matchLabels: selector });
    expect(deployment().spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
    });
    const spec = podSpec(deployment());
    expect(spec.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      fsGroup: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(dashboard().securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(spec.hostPID).toBeUndefined();
    expect(spec.hostNetwork).toBeUndefined();
    expect(spec.serviceAccountName).toBe('sss-dashboard');
    expect(spec.automountServiceAccountToken).toBe(true);
    expect(spec.terminationGracePeriodSeconds).toBe(30);
  });

  it('watches Nodes with its token by default, and mounts no token with Kubernetes off', () => {
    const off = render({ set: { 'dashboard.kubernetes': 'off', 'dashboard.idPolicy': 'any' } });
    const d = off.one('Deployment', 'sss-dashboard');
    expect(podSpec(d).automountServiceAccountToken).toBe(false);
    expect(envOf(container(d, 'dashboard')).SSS_KUBERNETES?.value).toBe('off');
    expect(envOf(container(d, 'dashboard')).SSS_ID_POLICY?.value).toBe('any');
  });

  it('listens on 8900, probes /healthz and /readyz and reads the secret from the mounted Secret file', () => {
    expect(dashboard().ports).toEqual([{ name: 'http', containerPort: 8900, protocol: 'TCP' }]);
    expect(dashboard().livenessProbe).toEqual({
      httpGet: { path: '/healthz', port: 'http' },
      periodSeconds: 10,
      timeoutSeconds: 3,
      failureThreshold: 3,
    });
    expect(dashboard().readinessProbe).toEqual({
      httpGet: { path: '/readyz', port: 'http' },
      periodSeconds: 5,
      timeoutSeconds: 3,
      failureThreshold: 3,
    });
    expect(envOf(dashboard())).toEqual({
      SSS_PORT: { name: 'SSS_PORT', value: '8900' },
      SSS_AUTH_SECRET_FILE: { name: 'SSS_AUTH_SECRET_FILE', value: '/etc/sss/auth/auth-secret' },
      SSS_INTERVAL: { name: 'SSS_INTERVAL', value: '5' },
      SSS_LOG_LEVEL: { name: 'SSS_LOG_LEVEL', value: 'info' },
      SSS_KUBERNETES: { name: 'SSS_KUBERNETES', value: 'on' },
      SSS_ID_POLICY: { name: 'SSS_ID_POLICY', value: 'nodes' },
      SSS_HEADER_TIMEOUT: { name: 'SSS_HEADER_TIMEOUT', value: '5' },
      SSS_KEEPALIVE_TIMEOUT: { name: 'SSS_KEEPALIVE_TIMEOUT', value: '5' },
      SSS_MAX_CONNECTIONS_PER_ADDRESS: { name: 'SSS_MAX_CONNECTIONS_PER_ADDRESS', value: '1024' },
      SSS_DESCRIPTOR_HEADROOM: { name: 'SSS_DESCRIPTOR_HEADROOM', value: '256' },
      SSS_MAX_SERVERS: { name: 'SSS_MAX_SERVERS', value: '10000' },
      SSS_DATA_DIR: { name: 'SSS_DATA_DIR', value: '/var/lib/sss' },
    });
    expect(dashboard().volumeMounts).toEqual([
      { name: 'auth', mountPath: '/etc/sss/auth', readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'data', mountPath: '/var/lib/sss' },
    ]);
    expect(podSpec(deployment()).volumes).toEqual([
      {
        name: 'auth',
        secret: {
          secretName: 'sss-auth',
          defaultMode: 0o440,
          items: [{ key: 'auth-secret', path: 'auth-secret' }],
        },
      },
      { name: 'tmp', emptyDir: { sizeLimit: '16Mi' } },
      { name: 'data', emptyDir: {} },
    ]);
    expect(dashboard().resources).toEqual({
      requests: { cpu: '50m', memory: '160Mi' },
      limits: { memory: '512Mi' },
    });
  });

  it('keeps history in an emptyDir by default, and on a claim it creates (or an existing one) when asked', () => {
    expect(defaults.has('PersistentVolumeClaim')).toBe(false);
    const created = render({ values: ['ci/persistence-values.yaml'] });
    const claim = created.one('PersistentVolumeClaim', 'sss-dashboard-data');
    expect(claim.metadata.annotations).toEqual({
      'helm.sh/resource-policy': 'keep',
      'backup.example.org/schedule': 'daily',
    });
    expect(claim.metadata.labels).toMatchObject(selector);
    expect(claim.spec).toEqual({
      accessModes: ['ReadWriteOncePod'],
      storageClassName: 'standard',
      resources: { requests: { storage: '5Gi' } },
    });
    const onClaim = created.one('Deployment', 'sss-dashboard');
    // A single-node claim cannot be mounted by a surge pod on another node, and one process writes the file.
    expect(onClaim.spec.strategy).toEqual({ type: 'Recreate' });
    expect(podSpec(onClaim).volumes).toContainEqual({
      name: 'data',
      persistentVolumeClaim: { claimName: 'sss-dashboard-data' },
    });
    expect(envOf(container(onClaim, 'dashboard')).SSS_DATA_DIR?.value).toBe('/var/lib/sss');
    expect(container(onClaim, 'dashboard').volumeMounts).toContainEqual({
      name: 'data',
      mountPath: '/var/lib/sss',
    });

    const existing = render({
      set: {
        'dashboard.persistence.enabled': true,
        'dashboard.persistence.existingClaim': 'history',
        'dashboard.persistence.storageClass': '-',
      },
    });
    expect(existing.has('PersistentVolumeClaim')).toBe(false);
    expect(podSpec(existing.one('Deployment', 'sss-dashboard')).volumes).toContainEqual({
      name: 'data',
      persistentVolumeClaim: { claimName: 'history' },
    });
    const plain = render({
      set: {
        'dashboard.persistence.enabled': true,
        'dashboard.persistence.storageClass': '-',
        'dashboard.persistence.keepOnUninstall': false,
      },
    }).one('PersistentVolumeClaim', 'sss-dashboard-data');
    expect(plain.metadata.annotations).toBeUndefined();
    expect(plain.spec.storageClassName).toBe('');
    expect(plain.spec.accessModes).toEqual(['ReadWriteOnce']);
  });

  it('meets the restricted Pod Security Standard with history on an emptyDir or a claim', () => {
    for (const manifests of [defaults, render({ values: ['ci/persistence-values.yaml'] })]) {
      const d = manifests.one('Deployment', 'sss-dashboard');
      expect(restrictedViolations(podSpec(d))).toEqual([]);
      // The data folder is a volume owned by fsGroup; the root filesystem stays read-only.
      expect(container(d, 'dashboard').securityContext.readOnlyRootFilesystem).toBe(true);
      expect(podSpec(d).securityContext.fsGroup).toBe(65532);
    }
    // The check does catch what the profile forbids.
    const privileged = render({ set: { 'agent.privileged': true } }).one('DaemonSet', 'sss-agent');
    expect(restrictedViolations(podSpec(privileged))).toEqual(
      expect.arrayContaining(['hostPID is set', 'container agent is privileged']),
    );
  });

  it('generates the shared secret: 32 random characters, different on every fresh render', () => {
    const secret = defaults.one('Secret', 'sss-auth');
    expect(secret.type).toBe('Opaque');
    expect(Object.keys(secret.data)).toEqual(['auth-secret']);
    const value = Buffer.from(secret.data['auth-secret'], 'base64').toString();
    expect(value).toMatch(/^[A-Za-z0-9]{32}$/);
    const again = Buffer.from(render().one('Secret', 'sss-auth').data['auth-secret'], 'base64').toString();
    expect(again).not.toBe(value);
  });

  it('uses an existing Secret instead of creating one', () => {
    const manifests = render({ values: ['ci/existing-secret-values.yaml'] });
    expect(manifests.all('Secret')).toEqual([]);
    const d = container(manifests.one('Deployment', 'sss-dashboard'), 'dashboard');
    expect(envOf(d).SSS_AUTH_SECRET_FILE?.value).toBe('/etc/sss/auth/shared');
    expect(envOf(d).SSS_FRONTEND_TOKEN).toEqual({
      name: 'SSS_FRONTEND_TOKEN',
      valueFrom: { secretKeyRef: { name: 'sss-shared', key: 'ui' } },
    });
    const auth = (podSpec(manifests.one('Deployment', 'sss-dashboard')).volumes as K8sObject[])[0];
    expect(auth).toEqual({
      name: 'auth',
      secret: { secretName: 'sss-shared', defaultMode: 0o440, items: [{ key: 'shared', path: 'shared' }] },
    });
    const test = container(manifests.one('Pod', 'sss-test'), 'check');
    expect(envOf(test).SSS_FRONTEND_TOKEN).toEqual(envOf(d).SSS_FRONTEND_TOKEN);
  });

  it('exposes port 8900 on a ClusterIP Service with Prometheus scrape annotations', () => {
    const service = defaults.one('Service', 'sss-dashboard');
    expect(service.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '8900',
      'prometheus.io/path': '/metrics',
    });
    expect(service.spec).toEqual({
      type: 'ClusterIP',
      selector,
      ports: [{ name: 'http', port: 8900, targetPort: 'http', protocol: 'TCP' }],
    });
  });

  it('sets a node port only for NodePort and LoadBalancer Services', () => {
    const service = render({
      set: { 'dashboard.service.type': 'NodePort', 'dashboard.service.nodePort': 30900 },
    }).one('Service', 'sss-dashboard');
    expect(service.spec.type).toBe('NodePort');
    expect(service.spec.ports).toEqual([
      { name: 'http', port: 8900, targetPort: 'http', protocol: 'TCP', nodePort: 30900 },
    ]);
  });

  it('grants the dashboard nodes get/list/watch and nothing else, and mounts no token into the agents', () => {
    const role = defaults.one('ClusterRole');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] }]);
    const binding = defaults.one('ClusterRoleBinding');
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: role.metadata.name,
    });
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'sss-dashboard', namespace: 'monitoring' },
    ]);
    for (const name of ['sss-dashboard', 'sss-agent']) {
      expect(defaults.one('ServiceAccount', name).automountServiceAccountToken).toBe(false);
    }
    expect(defaults.all('Role')).toEqual([]);
    const withoutRbac = render({ set: { 'rbac.create': false } });
    expect(withoutRbac.all('ClusterRole')).toEqual([]);
    expect(withoutRbac.all('ClusterRoleBinding')).toEqual([]);
  });

  it('renders the Ingress and the ServiceMonitor when enabled, without scrape annotations', () => {
    const manifests = render({ values: ['ci/ingress-servicemonitor-values.yaml'] });
    const ingress = manifests.one('Ingress', 'sss-dashboard');
    expect(ingress.metadata.annotations).toEqual({
      'cert-manager.io/cluster-issuer': 'letsencrypt',
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
    });
    expect(ingress.spec).toEqual({
      ingressClassName: 'nginx',
      tls: [{ secretName: 'status-example-org-tls', hosts: ['status.example.org'] }],
      rules: [
        {
          host: 'status.example.org',
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: 'sss-dashboard', port: { name: 'http' } } },
              },
            ],
          },
        },
      ],
    });
    const monitor = manifests.one('ServiceMonitor', 'sss-dashboard');
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.metadata.labels.release).toBe('kube-prometheus-stack');
    expect(monitor.spec).toEqual({
      selector: {
        matchLabels: selector,
        matchExpressions: [{ key: 'sss/headless', operator: 'DoesNotExist' }],
      },
      namespaceSelector: { matchNames: ['monitoring'] },
      endpoints: [
        {
          port: 'http',
          path: '/metrics',
          scheme: 'http',
          authorization: { type: 'Bearer', credentials: { name: 'sss-metrics', key: 'token' } },
          interval: '15s',
          scrapeTimeout: '5s',
          metricRelabelings: [{ sourceLabels: ['__name__'], regex: 'sss_server_info', action: 'drop' }],
        },
      ],
    });
    // The ServiceMonitor selects the dashboard Service.
    expect(manifests.one('Service', 'sss-dashboard').metadata.labels).toMatchObject(
      monitor.spec.selector.matchLabels,
    );
    expect(manifests.one('Service', 'sss-dashboard').metadata.annotations).toBeUndefined();
    expect(defaults.all('Ingress')).toEqual([]);
    expect(defaults.all('ServiceMonitor')).toEqual([]);
  });

  it('locks traffic down with NetworkPolicies when enabled', () => {
    const manifests = render({ values: ['ci/networkpolicy-servers-values.yaml'] });
    const agentSelector = { ...selector, 'app.kubernetes.io/component': 'agent' };
    const dashboardPolicy = manifests.one('NetworkPolicy', 'sss-dashboard');
    expect(dashboardPolicy.spec).toEqual({
      podSelector: { matchLabels: selector },
      policyTypes: ['Ingress'],
      ingress: [
        {
          ports: [{ port: 'http', protocol: 'TCP' }],
          from: [
            { podSelector: { matchLabels: agentSelector } },
            { podSelector: { matchLabels: { ...selector, 'app.kubernetes.io/component': 'test' } } },
            { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } },
          ],
        },
      ],
    });
    // The policies select the pods they mean: the test pod and the agents carry the labels the policy names.
    expect(manifests.one('Pod', 'sss-test').metadata.labels).toMatchObject(
      dashboardPolicy.spec.ingress[0].from[1].podSelector.matchLabels,
    );
    expect(manifests.one('DaemonSet', 'sss-agent').spec.template.metadata.labels).toMatchObject(
      agentSelector,
    );
    const agentPolicy = manifests.one('NetworkPolicy', 'sss-agent');
    expect(agentPolicy.spec).toEqual({
      podSelector: { matchLabels: agentSelector },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ ports: [{ port: 'health', protocol: 'TCP' }] }],
      egress: [
        {
          ports: [
            { port: 53, protocol: 'UDP' },
            { port: 53, protocol: 'TCP' },
          ],
        },
        { to: [{ podSelector: { matchLabels: selector } }], ports: [{ port: 8900, protocol: 'TCP' }] },
      ],
    });
    const open = render({ set: { 'networkPolicy.enabled': true } }).one('NetworkPolicy', 'sss-dashboard');
    expect(open.spec.ingress).toEqual([{ ports: [{ port: 'http', protocol: 'TCP' }] }]);
    expect(defaults.all('NetworkPolicy')).toEqual([]);
  });

  it('mounts the server list as SSS_CONFIG from a Secret and rolls the pod when it changes', () => {
    const manifests = render({ values: ['ci/networkpolicy-servers-values.yaml'] });
    const config = manifests.one('Secret', 'sss-dashboard-config');
    expect(parse(config.stringData['config.yaml'])).toEqual({
      servers: [
        { id: 'node-1', name: 'Frankfurt 1', group: 'production', countryCode: 'DE', location: 'Frankfurt' },
        {
          id: 'node-2',
          name: 'Frankfurt 2',
          group: 'production',
          countryCode: 'DE',
          location: 'Frankfurt',
          secret: 'node-2-own-secret',
        },
      ],
    });
    const d = manifests.one('Deployment', 'sss-dashboard');
    expect(envOf(container(d, 'dashboard')).SSS_CONFIG).toEqual({
      name: 'SSS_CONFIG',
      value: '/etc/sss/config/config.yaml',
    });
    expect(container(d, 'dashboard').volumeMounts).toContainEqual({
      name: 'config',
      mountPath: '/etc/sss/config',
      readOnly: true,
    });
    expect(podSpec(d).volumes).toContainEqual({
      name: 'config',
      secret: { secretName: 'sss-dashboard-config', defaultMode: 0o440 },
    });
    const checksum = d.spec.template.metadata.annotations['checksum/config'];
    expect(checksum).toMatch(/^[0-9a-f]{64}$/);
    const changed = render({
      values: ['ci/networkpolicy-servers-values.yaml'],
      set: { 'dashboard.servers[0].name': 'Berlin 1' },
    }).one('Deployment', 'sss-dashboard');
    expect(changed.spec.template.metadata.annotations['checksum/config']).not.toBe(checksum);
    expect(defaults.has('Secret', 'sss-dashboard-config')).toBe(false);
  });

  it('renders alert rules, receivers and their Secrets into SSS_CONFIG, which the dashboard accepts', () => {
    const manifests = render({
      set: {
        'dashboard.alerts[0].kind': 'disk',
        'dashboard.alerts[0].threshold': 90,
        'dashboard.alerts[0].for': '10m',
        'dashboard.notifications[0].name': 'chat',
        'dashboard.notifications[0].type': 'slack',
        'dashboard.notifications[0].url': 'https://hooks.example.com/x',
        'dashboard.notifications[0].bearerTokenFile': '/etc/sss/notifications/sss-slack/token',
        'dashboard.notificationSecrets[0]': 'sss-slack',
        'dashboard.externalUrl': 'https://status.example.com',
      },
    });
    const text = manifests.one('Secret', 'sss-dashboard-config').stringData['config.yaml'] as string;
    expect(parse(text)).toEqual({
      alerts: [{ kind: 'disk', threshold: 90, for: '10m' }],
      notifications: [
        {
          name: 'chat',
          type: 'slack',
          url: 'https://hooks.example.com/x',
          bearerTokenFile: '/etc/sss/notifications/sss-slack/token',
        },
      ],
      externalUrl: 'https://status.example.com',
    });
    // The dashboard's own parser takes it (the token file it names exists only in the pod).
    const local = parseConfigFile(
      text.replace('bearerTokenFile: /etc/sss/notifications/sss-slack/token', 'bearerToken: t'),
      'config.yaml',
    );
    expect(local.servers).toBeUndefined();
    expect(local.alerts.rules.map((r) => `${r.name} ${r.kind} ${r.forText}`)).toEqual([
      'DiskAlmostFull disk 10m',
    ]);
    const d = manifests.one('Deployment', 'sss-dashboard');
    expect(envOf(container(d, 'dashboard')).SSS_CONFIG?.value).toBe('/etc/sss/config/config.yaml');
    expect(container(d, 'dashboard').volumeMounts).toContainEqual({
      name: 'notify-0',
      mountPath: '/etc/sss/notifications/sss-slack',
      readOnly: true,
    });
    expect(podSpec(d).volumes).toContainEqual({
      name: 'notify-0',
      secret: { secretName: 'sss-slack', defaultMode: 0o440 },
    });
    // alerts: [] turns the default rules off, so it is written; null (the default) leaves them on and writes nothing.
    const noRules = join(mkdtempSync(join(tmpdir(), 'sss-chart-')), 'no-rules.yaml');
    writeFileSync(noRules, 'dashboard:\n  alerts: []\n');
    const off = render({ values: [noRules] }).one('Secret', 'sss-dashboard-config');
    expect(parse(off.stringData['config.yaml'])).toEqual({ alerts: [] });
    expect(defaults.has('Secret', 'sss-dashboard-config')).toBe(false);
  });

  it('ships a helm test hook that runs the dashboard image against the Service', () => {
    const pod = defaults.one('Pod', 'sss-test');
    expect(pod.metadata.annotations).toEqual({
      'helm.sh/hook': 'test',
      'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
    });
    expect(pod.spec.restartPolicy).toBe('Never');
    expect(pod.spec.automountServiceAccountToken).toBe(false);
    expect(pod.spec.securityContext).toEqual(podSpec(deployment()).securityContext);
    const check = container(pod, 'check');
    expect(check.image).toBe(dashboard().image);
    expect(check.securityContext).toEqual(dashboard().securityContext);
    expect(check.command.slice(0, 3)).toEqual(['node', '--input-type=module', '-e']);
    expect(check.command[3]).toContain("get('/readyz')");
    expect(check.command[3]).toContain("get('/api/servers')");
    expect(envOf(check)).toEqual({
      DASHBOARD_URL: { name: 'DASHBOARD_URL', value: 'http://sss-dashboard:8900' },
      TIMEOUT_SECONDS: { name: 'TIMEOUT_SECONDS', value: '120' },
    });
  });

  it('names objects after fullnameOverride and adds commonLabels everywhere', () => {
    const manifests = render({ set: { fullnameOverride: 'status', 'commonLabels.team': 'ops' } });
    expect(manifests.kinds()).toContain('Deployment/status-dashboard');
    expect(manifests.kinds()).toContain('DaemonSet/status-agent');
    for (const object of manifests.objects) expect(object.metadata.labels.team).toBe('ops');
    const env = envOf(container(manifests.one('DaemonSet', 'status-agent'), 'agent'));
    expect(env.SSS_DASHBOARD_URL?.value).toBe('ws://status-dashboard.monitoring.svc:8900/ws-report');
  });
});
