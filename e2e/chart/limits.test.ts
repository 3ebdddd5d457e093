// Issue 13: the chart passes the flood and abuse limits, the trusted proxies, and the /metrics token from a Secret
// (generated or existing) to the dashboard and to the ServiceMonitor.
import { describe, expect, it } from 'vitest';
import { container, envOf, helm, podSpec, render, renderError } from './chart';

describe.skipIf(!helm)('chart: limits and the metrics token', () => {
  it('passes the limits and the trusted proxies to the dashboard', () => {
    const manifests = render({
      set: {
        'dashboard.limits.maxConnectionsPerAddress': 5000,
        'dashboard.limits.maxServers': 300,
        'dashboard.trustedProxies': '{10.42.0.0/16,fd00::/8}',
      },
      // --set makes 2.5 a string; the schema wants a number.
      extraArgs: ['--set-json', 'dashboard.limits.headerTimeout=2.5'],
    });
    const env = envOf(container(manifests.one('Deployment', 'sss-dashboard'), 'dashboard'));
    expect(env.SSS_HEADER_TIMEOUT?.value).toBe('2.5');
    expect(env.SSS_MAX_CONNECTIONS_PER_ADDRESS?.value).toBe('5000');
    expect(env.SSS_MAX_SERVERS?.value).toBe('300');
    expect(env.SSS_TRUSTED_PROXIES?.value).toBe('10.42.0.0/16,fd00::/8');
    expect(renderError({ set: { 'dashboard.trustedProxies': '{ingress.local}' } })).toMatch(/trustedProxies/);
    expect(renderError({ set: { 'dashboard.limits.headerTimeout': 0 } })).toMatch(/headerTimeout/);
  });

  it('leaves /metrics open and creates no token Secret by default', () => {
    const manifests = render({ set: { 'metrics.serviceMonitor.enabled': true } });
    expect(manifests.has('Secret', 'sss-metrics')).toBe(false);
    const env = envOf(container(manifests.one('Deployment', 'sss-dashboard'), 'dashboard'));
    expect(env.SSS_METRICS_TOKEN_FILE).toBeUndefined();
    expect(manifests.one('ServiceMonitor').spec.endpoints[0].authorization).toBeUndefined();
  });

  it('generates the token Secret and hands it to the dashboard (a file) and the ServiceMonitor', () => {
    const manifests = render({
      set: { 'metrics.token.enabled': true, 'metrics.serviceMonitor.enabled': true },
    });
    const secret = manifests.one('Secret', 'sss-metrics');
    expect(Buffer.from(secret.data.token, 'base64').toString()).toMatch(/^[A-Za-z0-9]{32}$/);
    const deployment = manifests.one('Deployment', 'sss-dashboard');
    const dashboard = container(deployment, 'dashboard');
    expect(envOf(dashboard).SSS_METRICS_TOKEN_FILE?.value).toBe('/etc/sss/metrics/token');
    expect(dashboard.volumeMounts).toContainEqual({
      name: 'metrics-token',
      mountPath: '/etc/sss/metrics',
      readOnly: true,
    });
    expect(podSpec(deployment).volumes).toContainEqual({
      name: 'metrics-token',
      secret: { secretName: 'sss-metrics', defaultMode: 288, items: [{ key: 'token', path: 'token' }] },
    });
    expect(manifests.one('ServiceMonitor').spec.endpoints[0].authorization).toEqual({
      type: 'Bearer',
      credentials: { name: 'sss-metrics', key: 'token' },
    });
  });

  it('uses an existing Secret for the token without creating one', () => {
    const manifests = render({
      set: {
        'metrics.token.enabled': true,
        'metrics.token.existingSecret': 'prometheus-scrape',
        'metrics.token.secretKey': 'bearer',
        'metrics.serviceMonitor.enabled': true,
      },
    });
    expect(manifests.all('Secret').map((s) => s.metadata.name)).toEqual(['sss-auth']);
    const deployment = manifests.one('Deployment', 'sss-dashboard');
    expect(envOf(container(deployment, 'dashboard')).SSS_METRICS_TOKEN_FILE?.value).toBe(
      '/etc/sss/metrics/bearer',
    );
    expect(manifests.one('ServiceMonitor').spec.endpoints[0].authorization.credentials).toEqual({
      name: 'prometheus-scrape',
      key: 'bearer',
    });
  });
});
