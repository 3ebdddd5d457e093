import type { Kubectl } from './pod-env';

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'servicemonitors.monitoring.coreos.com' },
  spec: {
    group: 'monitoring.coreos.com',
    names: {
      kind: 'ServiceMonitor',
      listKind: 'ServiceMonitorList',
      plural: 'servicemonitors',
      singular: 'servicemonitor',
    },
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

/**
 * The Prometheus Operator is not installed here: a CRD of the same group, version and kind stands in for its
 * ServiceMonitor CRD, so the API server knows the kind the chart's ServiceMonitor uses (it accepts any spec).
 */
export async function installServiceMonitorCrd(kubectl: Kubectl): Promise<void> {
  await kubectl(['apply', '-f', '-'], JSON.stringify(crd));
  await kubectl(['wait', '--for=condition=Established', 'crd/servicemonitors.monitoring.coreos.com']);
}
