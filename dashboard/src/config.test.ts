import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { settingErrorOf } from '@sss/protocol/fixtures';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfigFile } from './config';

function messageOf(fn: () => unknown): string {
  return settingErrorOf(fn).message;
}

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({ SSS_AUTH_SECRET: 's' }, []);
    expect(config).toMatchObject({
      port: 8900,
      host: '0.0.0.0',
      interval: 5,
      heartbeatTimeout: 60,
      maxMessageSize: 262_144,
      historySize: 720,
      historyMinuteRetention: 48,
      historyQuarterRetention: 30,
      authFailureLimit: 10,
      authFailureWindow: 60,
      logLevel: 'info',
    });
    expect(config.servers).toBeUndefined();
    expect(config.dataDir).toBeUndefined();
  });

  it('names the history retention setting and its range when out of range', () => {
    expect(messageOf(() => loadConfig({ SSS_AUTH_SECRET: 's', SSS_HISTORY_1M_RETENTION: '0' }, []))).toMatch(
      /SSS_HISTORY_1M_RETENTION/,
    );
    expect(
      messageOf(() => loadConfig({ SSS_AUTH_SECRET: 's', SSS_HISTORY_15M_RETENTION: 'week' }, [])),
    ).toMatch(/SSS_HISTORY_15M_RETENTION/);
  });

  it('needs exactly one of the secret settings', () => {
    expect(messageOf(() => loadConfig({}, []))).toBe(
      'SSS_AUTH_SECRET or SSS_AUTH_SECRET_FILE is required (the secret agents send)',
    );
    expect(messageOf(() => loadConfig({ SSS_AUTH_SECRET: 'a', SSS_AUTH_SECRET_FILE: '/x' }, []))).toMatch(
      /only one/,
    );
  });

  it('reads the server list from SSS_CONFIG', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sss-config-')), 'servers.yaml');
    writeFileSync(
      file,
      'servers:\n  - id: web-1\n    name: Web 1\n    countryCode: de\n    secret: own\n  - id: db-1\n',
    );
    const config = loadConfig({ SSS_AUTH_SECRET: 's', SSS_CONFIG: file }, []);
    expect([...(config.servers?.values() ?? [])]).toEqual([
      { id: 'web-1', name: 'Web 1', countryCode: 'DE', secret: 'own' },
      { id: 'db-1' },
    ]);
  });

  it('names an unreadable SSS_CONFIG', () => {
    expect(
      messageOf(() => loadConfig({ SSS_AUTH_SECRET: 's', SSS_CONFIG: '/nonexistent.yaml' }, [])),
    ).toMatch(/^SSS_CONFIG: cannot read "\/nonexistent.yaml"/);
  });
});

describe('parseConfigFile', () => {
  it('accepts an empty file', () => {
    expect(parseConfigFile('', 'f.yaml').servers).toBeUndefined();
  });

  it.each([
    ['servers: [', /is not valid YAML/],
    ['- id: a', /must be a mapping with the keys servers, alerts, notifications, externalUrl/],
    ['server:\n  - id: a', /unknown key "server"; valid keys: servers/],
    ['servers: {id: a}', /"servers" must be a list/],
    ['servers:\n  - name: x', /servers\[0\]: "id" is required/],
    [
      'servers:\n  - id: a\n    colour: red',
      /servers\[0\]: unknown key "colour"; valid keys: id, name, group/,
    ],
    ['servers:\n  - id: a b', /servers\[0\]: "id" must be 1-253 characters/],
    ['servers:\n  - id: a\n  - id: a', /servers\[1\]: id "a" is listed twice/],
    ['servers:\n  - id: a\n    countryCode: Germany', /"countryCode" must be an ISO 3166-1 alpha-2 code/],
    ['servers:\n  - id: a\n    secret: 42', /servers\[0\]: "secret" must be a non-empty string/],
  ])('rejects %j naming the file and entry', (source, message) => {
    const text = messageOf(() => parseConfigFile(source, 'f.yaml'));
    expect(text).toMatch(/^SSS_CONFIG \(f\.yaml\): /);
    expect(text).toMatch(message);
  });
});

describe('SSS_CONFIG alerts and notifications', () => {
  const file = (text: string) => {
    const path = join(mkdtempSync(join(tmpdir(), 'sss-config-')), 'config.yaml');
    writeFileSync(path, text);
    return path;
  };

  it('applies the default rules without SSS_CONFIG or without an alerts key, and none with alerts: []', () => {
    const defaults = [
      'ServerOffline:offline:1m:critical',
      'AgentMissing:agentMissing:5m:warning',
      'NodeNotReady:nodeNotReady:5m:warning',
    ];
    const names = (rules: readonly { name: string; kind: string; forText: string; severity: string }[]) =>
      rules.map((r) => `${r.name}:${r.kind}:${r.forText}:${r.severity}`);
    expect(names(loadConfig({ SSS_AUTH_SECRET: 's' }, []).alerts.rules)).toEqual(defaults);
    expect(names(parseConfigFile('servers: [{id: a}]', 'f').alerts.rules)).toEqual(defaults);
    expect(parseConfigFile('alerts: []', 'f').alerts.rules).toEqual([]);
    expect(parseConfigFile('alerts: []', 'f').servers).toBeUndefined();
    expect(loadConfig({ SSS_AUTH_SECRET: 's' }, []).alerts.receivers).toEqual([]);
  });

  it('reads rules and receivers, secrets from files', () => {
    const token = file('s3cret\n');
    const config = parseConfigFile(
      [
        'externalUrl: https://status.example.com/',
        'alerts:',
        '  - kind: offline',
        '    for: 30s',
        '    severity: critical',
        '  - name: DiskFull',
        '    kind: disk',
        '    threshold: 90',
        '    operator: ">="',
        '    path: /var',
        '    for: 1h30m',
        '    group: production',
        '    labels: {team: storage}',
        '    summary: "{{ $labels.server_name }}: {{$labels.path}} 已用 {{ $value }}%"',
        '  - kind: load',
        '    threshold: 8',
        '    servers: [web-1, web-2]',
        'notifications:',
        '  - name: ops',
        '    type: webhook',
        '    url: http://hooks.example.com/x',
        `    bearerTokenFile: ${token}`,
        '    severities: [critical]',
        '  - name: am',
        '    type: alertmanager',
        `    urlFile: ${token}`,
        '    timeout: 2s',
        '    resendInterval: 30s',
      ].join('\n'),
      'f.yaml',
    );
    expect(config.alerts.externalUrl).toBe('https://status.example.com');
    expect(config.alerts.rules).toEqual([
      {
        name: 'ServerOffline',
        kind: 'offline',
        severity: 'critical',
        forMs: 30_000,
        forText: '30s',
        operator: '>',
      },
      {
        name: 'DiskFull',
        kind: 'disk',
        severity: 'warning',
        forMs: 5_400_000,
        forText: '1h30m',
        threshold: 90,
        operator: '>=',
        path: '/var',
        group: 'production',
        labels: { team: 'storage' },
        summary: '{{ $labels.server_name }}: {{$labels.path}} 已用 {{ $value }}%',
      },
      {
        name: 'HighLoad',
        kind: 'load',
        severity: 'warning',
        forMs: 60_000,
        forText: '1m',
        threshold: 8,
        operator: '>',
        servers: ['web-1', 'web-2'],
      },
    ]);
    expect(config.alerts.receivers).toEqual([
      {
        name: 'ops',
        type: 'webhook',
        url: { value: 'http://hooks.example.com/x' },
        bearerToken: { file: token },
        timeoutMs: 10_000,
        severities: ['critical'],
        sendResolved: true,
        resendIntervalMs: 60_000,
        queueSize: 1_000,
      },
      {
        name: 'am',
        type: 'alertmanager',
        url: { file: token },
        timeoutMs: 2_000,
        sendResolved: true,
        resendIntervalMs: 30_000,
        queueSize: 1_000,
      },
    ]);
  });

  it.each([
    ['alerts: {kind: cpu}', /"alerts" must be a list of rules/],
    [
      'alerts:\n  - for: 1m',
      /alerts\[0\]: "kind" is required; valid kinds: offline, agentMissing, nodeNotReady, cpu, memory, disk, load, temperature/,
    ],
    ['alerts:\n  - kind: cpu', /alerts\[0\]: "threshold" is required for kind cpu/],
    [
      'alerts:\n  - kind: offline\n  - name: Hot\n    kind: heat',
      /alerts\[1\] \(Hot\): "kind" must be one of offline, agentMissing, nodeNotReady, cpu, memory, disk, load, temperature, got "heat"/,
    ],
    [
      'alerts:\n  - name: Cpu\n    kind: cpu\n    threshold: 90\n    operator: "=>"',
      /alerts\[0\] \(Cpu\): "operator" must be one of >, >=, <, <=, got "=>"/,
    ],
    [
      'alerts:\n  - kind: cpu\n    threshold: 90\n    for: 5 minutes',
      /alerts\[0\]: "for" must be a duration such as 30s, 5m/,
    ],
    [
      'alerts:\n  - kind: cpu\n    threshold: 90\n    severity: page',
      /"severity" must be one of critical, warning, info, got "page"/,
    ],
    [
      'alerts:\n  - kind: offline\n    threshold: 1',
      /"threshold" applies only to kinds cpu, memory, disk, load, temperature, not offline/,
    ],
    ['alerts:\n  - kind: cpu\n    threshold: 1\n    path: /', /"path" applies only to kind disk/],
    [
      'alerts:\n  - kind: cpu\n    threshold: 1\n    colour: red',
      /alerts\[0\]: unknown key "colour"; valid keys: name, kind, for, severity/,
    ],
    [
      'alerts:\n  - kind: cpu\n    threshold: 1\n    group: a\n    servers: [b]',
      /give "group" or "servers", not both/,
    ],
    [
      'alerts:\n  - kind: cpu\n    threshold: 1\n    servers: ["a b"]',
      /"servers" entries must be server ids/,
    ],
    ['alerts:\n  - name: 1cpu\n    kind: cpu\n    threshold: 1', /"name" must be letters, digits and _/],
    [
      'alerts:\n  - kind: cpu\n    threshold: 80\n  - kind: cpu\n    threshold: 90',
      /alerts\[1\]: name "HighCpuUsage" with severity warning is used by an earlier rule/,
    ],
    [
      'notifications:\n  - name: x\n    type: email\n    url: http://a',
      /notifications\[0\] \(x\): "type" must be one of webhook, slack, alertmanager, got "email"/,
    ],
    [
      'notifications:\n  - name: x\n    type: webhook',
      /notifications\[0\] \(x\): "url" or "urlFile" is required/,
    ],
    [
      'notifications:\n  - name: x\n    type: webhook\n    url: ftp://a',
      /"url" must be an http:\/\/ or https:\/\/ address/,
    ],
    [
      'notifications:\n  - name: x\n    type: webhook\n    urlFile: /nonexistent',
      /"urlFile": cannot read "\/nonexistent"/,
    ],
    [
      'notifications:\n  - name: x\n    type: slack\n    url: http://a\n    resendInterval: 1m',
      /"resendInterval" applies only to type alertmanager/,
    ],
    [
      'notifications:\n  - name: x\n    type: slack\n    url: http://a\n  - name: x\n    type: slack\n    url: http://a',
      /notifications\[1\] \(x\): name "x" is used twice/,
    ],
    ['externalUrl: status.example.com', /"externalUrl" must be an http:\/\/ or https:\/\/ address/],
    [
      'alerts:\n  - kind: offline\n    labels: {severity: page}',
      /alerts\[0\]: "labels": "severity" is set by the dashboard; it may not be one of alertname, severity, server_id, server_name, group, path/,
    ],
    [
      'alerts:\n  - kind: offline\n    labels: {team-a: x}',
      /"labels": "team-a" must be letters, digits and _/,
    ],
    ['alerts:\n  - kind: offline\n    labels: {team: 3}', /"labels": "team" must be a non-empty string/],
    [
      'alerts:\n  - kind: offline\n    labels: {team: ops}\n    summary: "{{ $value }} {{ $labels.team }}"',
      /alerts\[0\]: "summary": \{\{ \$value \}\} is not a placeholder of this rule; valid: \{\{ \$labels\.alertname \}\}, .*\{\{ \$labels\.group \}\}, \{\{ \$labels\.team \}\}$/,
    ],
    [
      'alerts:\n  - kind: cpu\n    threshold: 1\n    description: "{{ $labels.path }}"',
      /"description": \{\{ \$labels\.path \}\} is not a placeholder of this rule; valid: .*\{\{ \$value \}\}$/,
    ],
    [
      'alerts:\n  - kind: cpu\n    threshold: 1\n    summary: "{{ .Labels.server_id }}"',
      /"summary": \{\{ \.Labels\.server_id \}\} is not a placeholder/,
    ],
    [
      'alerts:\n  - kind: cpu\n    threshold: 1\n    summary: "{{ $value"',
      /"summary": a "\{\{" is not closed by "\}\}"/,
    ],
  ])('rejects %j naming the rule or receiver, the key and the valid values', (source, message) => {
    const text = messageOf(() => parseConfigFile(source, 'f.yaml'));
    expect(text).toMatch(/^SSS_CONFIG \(f\.yaml\): /);
    expect(text).toMatch(message);
  });
});
