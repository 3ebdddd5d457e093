import type { Kubectl } from './pod-env';

/** A CRD of the Prometheus Operator's group and version that accepts any spec. */
function standIn(kind: string, plural: string) {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.monitoring.coreos.com` },
    spec: {
      group: 'monitoring.coreos.com',
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  };
}

const crds = [standIn('ServiceMonitor', 'servicemonitors'), standIn('PrometheusRule', 'prometheusrules')];

/**
 * The Prometheus Operator is not installed here: CRDs of the same group, version and kinds stand in for its
 * ServiceMonitor and PrometheusRule CRDs, so the API server knows the kinds the chart uses (they accept any spec;
 * the rules themselves are checked by promtool and a real Prometheus in e2e/chart/prometheus-rule.test.ts and
 * e2e/prometheus-chart.test.ts).
 */
export async function installPrometheusOperatorCrds(kubectl: Kubectl): Promise<void> {
  await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: crds }));
  await kubectl(['wait', '--for=condition=Established', ...crds.map((crd) => `crd/${crd.metadata.name}`)]);
}
