import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { settingErrorOf } from '@sss/protocol/fixtures';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseServerList } from './config';

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
      authFailureLimit: 10,
      authFailureWindow: 60,
      logLevel: 'info',
    });
    expect(config.servers).toBeUndefined();
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

describe('parseServerList', () => {
  it('accepts an empty file', () => {
    expect(parseServerList('', 'f.yaml').size).toBe(0);
  });

  it.each([
    ['servers: [', /is not valid YAML/],
    ['- id: a', /must be a mapping with the key "servers"/],
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
    const text = messageOf(() => parseServerList(source, 'f.yaml'));
    expect(text).toMatch(/^SSS_CONFIG \(f\.yaml\): /);
    expect(text).toMatch(message);
  });
});
