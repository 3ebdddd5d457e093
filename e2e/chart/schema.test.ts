// Tier 4: values.schema.json rejects unknown keys and wrong types before anything renders, and says where.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chartDir, helm, render, renderError } from './chart';

/** Walks the schema: every object schema either closes its keys or types the values of a free-form map. */
function openObjects(schema: Record<string, unknown>, path: string, found: string[]) {
  if (schema.type === 'object' && schema.properties && schema.additionalProperties !== false)
    found.push(path);
  if (schema.type === 'object' && !schema.properties && schema.additionalProperties === undefined) {
    found.push(`${path} (untyped map)`);
  }
  for (const [key, value] of Object.entries(schema)) {
    if (value && typeof value === 'object')
      openObjects(value as Record<string, unknown>, `${path}/${key}`, found);
  }
}

describe.skipIf(!helm)('chart: values.schema.json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sss-schema-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A values file in a temporary folder, so --set's string coercion cannot hide a type error. */
  function valuesFile(name: string, yaml: string): string {
    const path = join(dir, `${name}.yaml`);
    writeFileSync(path, yaml);
    return path;
  }

  it('closes every object with additionalProperties: false (free-form maps type their values)', () => {
    const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8'));
    const found: string[] = [];
    openObjects(schema, '#', found);
    // Kubernetes Affinity parts and the parent chart's `global` are passed through whole; the API server checks them.
    expect(found.sort()).toEqual([
      '#/definitions/affinity/properties/nodeAffinity (untyped map)',
      '#/definitions/affinity/properties/podAffinity (untyped map)',
      '#/definitions/affinity/properties/podAntiAffinity (untyped map)',
      '#/properties/global (untyped map)',
    ]);
  });

  it.each([
    ['an unknown top-level key', 'replicas: 3\n', "- at '': additional properties 'replicas' not allowed"],
    [
      'an unknown nested key',
      'agent:\n  privilegd: false\n',
      "- at '/agent': additional properties 'privilegd' not allowed",
    ],
    [
      'an unknown key in a security context',
      'dashboard:\n  securityContext:\n    privileged: true\n',
      "- at '/dashboard/securityContext': additional properties 'privileged' not allowed",
    ],
    [
      'a string for a boolean',
      'agent:\n  privileged: "no"\n',
      "- at '/agent/privileged': got string, want boolean",
    ],
    ['a string for a number', 'reportInterval: "5s"\n', "- at '/reportInterval': got string, want number"],
    ['a zero interval', 'reportInterval: 0\n', "- at '/reportInterval': minimum: got 0, want 0.1"],
    [
      'a port out of range',
      'dashboard:\n  port: 70000\n',
      "- at '/dashboard/port': maximum: got 70,000, want 65,535",
    ],
    [
      'an unknown log level',
      'logLevel: verbose\n',
      "- at '/logLevel': value must be one of 'fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'",
    ],
    [
      'a toleration operator that does not exist',
      'agent:\n  tolerations:\n    - operator: Maybe\n',
      "- at '/agent/tolerations/0/operator': value must be one of 'Exists', 'Equal'",
    ],
    [
      'a toleration with an unknown key',
      'agent:\n  tolerations:\n    - operator: Exists\n      effects: NoSchedule\n',
      "- at '/agent/tolerations/0': additional properties 'effects' not allowed",
    ],
    [
      'a resource quantity that is not one',
      'agent:\n  resources:\n    requests:\n      memory: lots\n',
      "- at '/agent/resources/requests/memory': 'lots' does not match pattern",
    ],
    [
      'a Secret name Kubernetes refuses',
      'auth:\n  existingSecret: My_Secret\n',
      "- at '/auth/existingSecret': 'My_Secret' does not match pattern",
    ],
    [
      'a server entry without an id',
      'dashboard:\n  servers:\n    - name: Frankfurt\n',
      "- at '/dashboard/servers/0': missing property 'id'",
    ],
    [
      'a server id with a slash',
      'dashboard:\n  servers:\n    - id: a/b\n',
      "- at '/dashboard/servers/0/id': 'a/b' does not match pattern",
    ],
    [
      'an alert rule of an unknown kind',
      'dashboard:\n  alerts:\n    - kind: heat\n',
      "- at '/dashboard/alerts/0/kind': value must be one of",
    ],
    [
      'an alert rule label the dashboard sets itself',
      'dashboard:\n  alerts:\n    - kind: offline\n      labels: {severity: page}\n',
      "- at '/dashboard/alerts/0/labels/severity': false schema",
    ],
    [
      'an alert rule label name Prometheus would refuse',
      'dashboard:\n  alerts:\n    - kind: offline\n      labels: {a-b: x}\n',
      "- at '/dashboard/alerts/0/labels': additional properties 'a-b' not allowed",
    ],
    [
      'an alert rule label name starting with __ (reserved in Prometheus)',
      'dashboard:\n  alerts:\n    - kind: offline\n      labels: {__x: y}\n',
      "- at '/dashboard/alerts/0/labels': additional properties '__x' not allowed",
    ],
    [
      'a receiver of an unknown type',
      'dashboard:\n  notifications:\n    - name: x\n      type: email\n      url: http://a\n',
      "- at '/dashboard/notifications/0/type': value must be one of",
    ],
    [
      'a country code that is not two letters',
      'agent:\n  countryCode: Germany\n',
      "- at '/agent/countryCode': 'Germany' does not match pattern",
    ],
    [
      'a dashboard URL that is not a WebSocket URL',
      'agent:\n  dashboardUrl: http://dashboard:8900\n',
      "- at '/agent/dashboardUrl': 'http://dashboard:8900' does not match pattern",
    ],
    [
      'an enabled Ingress without hosts',
      'dashboard:\n  ingress:\n    enabled: true\n    hosts: []\n',
      "- at '/dashboard/ingress/hosts': minItems: got 0, want 1",
    ],
    [
      'an Ingress path without a leading slash',
      'dashboard:\n  ingress:\n    hosts:\n      - host: a.example\n        paths:\n          - {path: ui, pathType: Prefix}\n',
      "- at '/dashboard/ingress/hosts/0/paths/0/path': 'ui' does not match pattern '^/'",
    ],
    [
      'a Kubernetes mode that does not exist',
      'dashboard:\n  kubernetes: true\n',
      "- at '/dashboard/kubernetes': value must be one of 'on', 'off', 'auto'",
    ],
    [
      'an id policy of nodes with Kubernetes off',
      'dashboard:\n  kubernetes: "off"\n',
      "- at '/dashboard/idPolicy': value must be 'any'",
    ],
    [
      'a ServiceAccount that is neither created nor named',
      'dashboard:\n  serviceAccount:\n    create: false\n',
      "- at '/dashboard/serviceAccount/name': minLength: got 0, want 1",
    ],
    [
      'an update strategy Kubernetes does not know',
      'agent:\n  updateStrategy:\n    type: Recreate\n',
      "- at '/agent/updateStrategy/type': value must be one of 'RollingUpdate', 'OnDelete'",
    ],
    [
      'a scrape interval that is not a duration',
      'metrics:\n  serviceMonitor:\n    interval: 30 seconds\n',
      "- at '/metrics/serviceMonitor/interval': '30 seconds' does not match pattern",
    ],
    [
      'a shared access mode for the SQLite file',
      'dashboard:\n  persistence:\n    accessModes: [ReadWriteMany]\n',
      "- at '/dashboard/persistence/accessModes/0': value must be one of 'ReadWriteOnce', 'ReadWriteOncePod'",
    ],
    [
      'a claim size that is not a quantity',
      'dashboard:\n  persistence:\n    size: 5 GB\n',
      "- at '/dashboard/persistence/size': '5 GB' does not match pattern",
    ],
    [
      'an unknown persistence key',
      'dashboard:\n  persistence:\n    storageClassName: fast\n',
      "- at '/dashboard/persistence': additional properties 'storageClassName' not allowed",
    ],
    [
      'a node port outside the node port range',
      'dashboard:\n  service:\n    type: NodePort\n    nodePort: 8900\n',
      "- at '/dashboard/service/nodePort'",
    ],
  ])('rejects %s with the schema message', (name, yaml, message) => {
    const stderr = renderError({ values: [valuesFile(name.replace(/\W+/g, '-'), yaml)] });
    expect(stderr).toContain("values don't meet the specifications of the schema(s)");
    expect(stderr).toContain(message);
  });

  it('accepts the same settings when they are right', () => {
    const manifests = render({
      values: [
        valuesFile(
          'valid',
          [
            'reportInterval: 10',
            'logLevel: debug',
            'agent:',
            '  privileged: false',
            '  countryCode: DE',
            '  dashboardUrl: wss://status.example.org/ws-report',
            '  tolerations: [{operator: Exists, effect: NoSchedule}]',
            'dashboard:',
            '  serviceAccount: {create: false, name: existing}',
            '  service: {type: NodePort, nodePort: 30900}',
            '  servers: [{id: node-1.example, countryCode: de}]',
            '',
          ].join('\n'),
        ),
      ],
    });
    expect(manifests.one('Deployment', 'sss-dashboard').spec.template.spec.serviceAccountName).toBe(
      'existing',
    );
    expect(manifests.has('ServiceAccount', 'sss-dashboard')).toBe(false);
  });
});
