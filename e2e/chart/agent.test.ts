// Tier 4: the agent DaemonSet as rendered, field by field (DESIGN section 8).
import { describe, expect, it } from 'vitest';
import { container, envOf, helm, type K8sObject, podSpec, render } from './chart';

const selector = {
  'app.kubernetes.io/name': 'simple-server-status',
  'app.kubernetes.io/instance': 'sss',
  'app.kubernetes.io/component': 'agent',
};

describe.skipIf(!helm)('chart: agent DaemonSet', () => {
  const manifests = helm ? render() : undefined;
  const ds = () => manifests?.one('DaemonSet', 'sss-agent') as K8sObject;
  const agent = () => container(ds(), 'agent');

  it('selects its own pods and rolls one node at a time', () => {
    expect(ds().spec.selector).toEqual({ matchLabels: selector });
    expect(ds().spec.template.metadata.labels).toMatchObject(selector);
    expect(ds().spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } });
  });

  it('runs privileged as root with hostPID by default, with a read-only root filesystem', () => {
    const spec = podSpec(ds());
    expect(spec.hostPID).toBe(true);
    expect(spec.hostNetwork).toBeUndefined();
    expect(spec.securityContext).toEqual({ runAsUser: 0, runAsGroup: 0 });
    expect(agent().securityContext).toEqual({ privileged: true, readOnlyRootFilesystem: true });
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.serviceAccountName).toBe('sss-agent');
  });

  it('mounts the host /proc, /sys and / read-only under /host with HostToContainer propagation', () => {
    const spec = podSpec(ds());
    const volumes = Object.fromEntries((spec.volumes as K8sObject[]).map((v) => [v.name, v]));
    expect(volumes.proc).toEqual({ name: 'proc', hostPath: { path: '/proc', type: 'Directory' } });
    expect(volumes.sys).toEqual({ name: 'sys', hostPath: { path: '/sys', type: 'Directory' } });
    expect(volumes.root).toEqual({ name: 'root', hostPath: { path: '/', type: 'Directory' } });
    expect(volumes.auth).toEqual({
      name: 'auth',
      secret: {
        secretName: 'sss-auth',
        defaultMode: 0o440,
        items: [{ key: 'auth-secret', path: 'auth-secret' }],
      },
    });
    expect(Object.keys(volumes).sort()).toEqual(['auth', 'proc', 'root', 'sys']);
    expect(agent().volumeMounts).toEqual([
      { name: 'proc', mountPath: '/host/proc', readOnly: true, mountPropagation: 'HostToContainer' },
      { name: 'sys', mountPath: '/host/sys', readOnly: true, mountPropagation: 'HostToContainer' },
      { name: 'root', mountPath: '/host/root', readOnly: true, mountPropagation: 'HostToContainer' },
      { name: 'auth', mountPath: '/etc/sss/auth', readOnly: true },
    ]);
  });

  it('takes its identity from the downward API and the secret from the mounted Secret file', () => {
    const env = envOf(agent());
    expect(env.NODE_NAME).toEqual({
      name: 'NODE_NAME',
      valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } },
    });
    expect(env.SSS_IP).toEqual({ name: 'SSS_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } });
    expect(env.SSS_SERVER_ID).toBeUndefined();
    expect(env.SSS_AUTH_SECRET).toBeUndefined();
    const values = Object.fromEntries(Object.values(env).map((e) => [e.name, e.value]));
    expect(values).toMatchObject({
      SSS_DASHBOARD_URL: 'ws://sss-dashboard.monitoring.svc:8900/ws-report',
      SSS_AUTH_SECRET_FILE: '/etc/sss/auth/auth-secret',
      SSS_INTERVAL: '5',
      SSS_LOG_LEVEL: 'info',
      SSS_HEALTH_PORT: '8901',
      HOST_PROC: '/host/proc',
      HOST_SYS: '/host/sys',
      HOST_ROOT: '/host/root',
      HOST_ETC: '/host/root/etc',
    });
    expect(Object.keys(env).sort()).toEqual(
      [
        'HOST_ETC',
        'HOST_PROC',
        'HOST_ROOT',
        'HOST_SYS',
        'NODE_NAME',
        'SSS_AUTH_SECRET_FILE',
        'SSS_DASHBOARD_URL',
        'SSS_HEALTH_PORT',
        'SSS_INTERVAL',
        'SSS_IP',
        'SSS_LOG_LEVEL',
      ].sort(),
    );
  });

  it('probes /healthz on the health port and has small default resources', () => {
    expect(agent().ports).toEqual([{ name: 'health', containerPort: 8901, protocol: 'TCP' }]);
    expect(agent().livenessProbe).toEqual({
      httpGet: { path: '/healthz', port: 'health' },
      periodSeconds: 15,
      timeoutSeconds: 3,
      failureThreshold: 3,
    });
    expect(agent().resources).toEqual({
      requests: { cpu: '10m', memory: '80Mi' },
      limits: { memory: '128Mi' },
    });
  });

  it('tolerates every taint and stays on Linux nodes by default', () => {
    const spec = podSpec(ds());
    expect(spec.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(spec.priorityClassName).toBeUndefined();
    expect(spec.affinity).toBeUndefined();
  });

  it('runs unprivileged when agent.privileged is false', () => {
    const unprivileged = render({ values: ['ci/unprivileged-agent-values.yaml'] }).one(
      'DaemonSet',
      'sss-agent',
    );
    const spec = podSpec(unprivileged);
    expect(spec.hostPID).toBe(false);
    expect(spec.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65534,
      runAsGroup: 65534,
      fsGroup: 65534,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container(unprivileged, 'agent').securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    // Still reads the host, read-only.
    expect(container(unprivileged, 'agent').volumeMounts).toEqual(agent().volumeMounts);
  });

  it('takes custom tolerations, resources, priority class, node selector and update strategy', () => {
    const custom = render({ values: ['ci/tolerations-resources-values.yaml'] }).one('DaemonSet', 'sss-agent');
    const spec = podSpec(custom);
    expect(spec.tolerations).toEqual([
      { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
      {
        key: 'dedicated',
        operator: 'Equal',
        value: 'monitoring',
        effect: 'NoExecute',
        tolerationSeconds: 3600,
      },
    ]);
    expect(container(custom, 'agent').resources).toEqual({
      requests: { cpu: '25m', memory: '64Mi' },
      limits: { cpu: '200m', memory: '256Mi' },
    });
    expect(spec.priorityClassName).toBe('system-node-critical');
    expect(spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux', 'sss.example.org/monitored': 'true' });
    expect(custom.spec.updateStrategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: '10%' },
    });
  });

  it('passes the descriptive fields and settings to every agent', () => {
    const locked = render({ values: ['ci/networkpolicy-servers-values.yaml'] }).one('DaemonSet', 'sss-agent');
    const env = envOf(container(locked, 'agent'));
    expect(env.SSS_GROUP).toEqual({ name: 'SSS_GROUP', value: 'production' });
    expect(env.SSS_COUNTRY_CODE).toEqual({ name: 'SSS_COUNTRY_CODE', value: 'DE' });
    expect(env.SSS_LOCATION).toEqual({ name: 'SSS_LOCATION', value: 'Frankfurt' });
    expect(env.SSS_INTERVAL).toEqual({ name: 'SSS_INTERVAL', value: '10' });
    expect(env.SSS_LOG_LEVEL).toEqual({ name: 'SSS_LOG_LEVEL', value: 'debug' });
  });

  it('reports to an external dashboard and reads an existing Secret when told to', () => {
    const external = render({
      values: ['ci/existing-secret-values.yaml'],
      set: { 'agent.dashboardUrl': 'wss://status.example.org/ws-report' },
    }).one('DaemonSet', 'sss-agent');
    const env = envOf(container(external, 'agent'));
    expect(env.SSS_DASHBOARD_URL?.value).toBe('wss://status.example.org/ws-report');
    expect(env.SSS_AUTH_SECRET_FILE?.value).toBe('/etc/sss/auth/shared');
    const auth = (podSpec(external).volumes as K8sObject[]).find((v) => v.name === 'auth');
    expect(auth?.secret).toEqual({
      secretName: 'sss-shared',
      defaultMode: 0o440,
      items: [{ key: 'shared', path: 'shared' }],
    });
  });
});
