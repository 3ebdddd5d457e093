import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import {
  decimal,
  integer,
  LOG_LEVELS,
  matching,
  oneOf,
  optionalSetting,
  type Parser,
  Paths,
  readSettings,
  SERVER_ID_PATTERN,
  SERVER_ID_RULE,
  SettingError,
  type SettingValues,
  setting,
  text,
} from '@sss/protocol';
import { defaultMountFilter, type MountFilter } from './collect/mounts';
import type { InterfaceFilter } from './collect/network';
import type { HostPaths } from './host';
import type { Descriptor } from './report';

const WS_URL_RULE = `a ws:// or wss:// URL such as ws://127.0.0.1:8900${Paths.report}`;
const anyWsUrl = matching(/^wss?:\/\/[^\s/]+(\/\S*)?$/, WS_URL_RULE);

/**
 * The report endpoint's URL, with its path: a URL without one (or "/") would only ever get 404. The path is not
 * guessed, since behind a reverse proxy the endpoint may be under a prefix (wss://example.org/status/ws-report).
 */
const wsUrl: Parser<string> = (raw, name) => {
  const url = anyWsUrl(raw, name);
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    throw new SettingError(name, `${name} must be ${WS_URL_RULE}, got "${raw}"`);
  }
  if (path === '/' || path === '') {
    throw new SettingError(
      name,
      `${name} must name the dashboard's report endpoint, ${Paths.report}: got "${raw}" without a path; ` +
        `use e.g. ${url.replace(/\/?$/, Paths.report)}`,
    );
  }
  return url;
};

/** A regular expression (JavaScript syntax, unanchored: `^(eth1|bond0)$` for exact names). */
const regex: Parser<RegExp> = (raw, name) => {
  try {
    return new RegExp(raw);
  } catch (err) {
    throw new SettingError(
      name,
      `${name} must be a regular expression such as ^(eth1|bond0)$, got "${raw}": ${(err as Error).message}`,
    );
  }
};

/** Every agent setting: environment variable, its --flag mirror (see flagOf), help text and default. */
export const AGENT_SETTINGS = {
  dashboardUrl: setting(
    'SSS_DASHBOARD_URL',
    "the dashboard's report endpoint",
    wsUrl,
    'ws://127.0.0.1:8900/ws-report',
  ),
  authSecret: optionalSetting('SSS_AUTH_SECRET', 'shared secret (or SSS_AUTH_SECRET_FILE)', text),
  authSecretFile: optionalSetting(
    'SSS_AUTH_SECRET_FILE',
    'file holding the shared secret, re-read when it changes',
    text,
  ),
  serverId: optionalSetting(
    'SSS_SERVER_ID',
    'server id (default: NODE_NAME, else the hostname)',
    matching(SERVER_ID_PATTERN, SERVER_ID_RULE),
  ),
  nodeName: optionalSetting('NODE_NAME', 'Kubernetes node name (Downward API spec.nodeName)', text),
  serverName: optionalSetting('SSS_SERVER_NAME', 'display name (default: the server id)', text),
  group: optionalSetting('SSS_GROUP', 'group shown in the dashboard', text),
  countryCode: optionalSetting(
    'SSS_COUNTRY_CODE',
    'ISO 3166-1 alpha-2 country code',
    matching(/^[A-Za-z]{2}$/, 'a two-letter ISO 3166-1 country code such as DE'),
  ),
  location: optionalSetting('SSS_LOCATION', 'free-text location', text),
  ip: optionalSetting('SSS_IP', 'address shown in the dashboard', text),
  interval: setting('SSS_INTERVAL', 'report interval, seconds', decimal(0.1, 3600), 5),
  hostProc: setting('HOST_PROC', "where the host's /proc is", text, '/proc'),
  hostSys: setting('HOST_SYS', "where the host's /sys is", text, '/sys'),
  hostRoot: setting('HOST_ROOT', "where the host's / is", text, '/'),
  hostEtc: setting('HOST_ETC', "where the host's /etc is", text, '/etc'),
  networkInclude: optionalSetting(
    'SSS_NETWORK_INCLUDE',
    'regular expression: network.interfaces lists exactly the interfaces it matches',
    regex,
  ),
  networkExclude: optionalSetting(
    'SSS_NETWORK_EXCLUDE',
    'regular expression of interfaces network.interfaces leaves out, besides the default ones',
    regex,
  ),
  config: optionalSetting('SSS_CONFIG', 'YAML file with interface and filesystem selection', text),
  logLevel: setting('SSS_LOG_LEVEL', 'log level', oneOf(LOG_LEVELS), 'info'),
  healthPort: setting('SSS_HEALTH_PORT', 'port of GET /healthz, 0 = off', integer(0, 65535), 8901),
  healthHost: setting('SSS_HEALTH_HOST', 'address of the health server', text, '0.0.0.0'),
};

export type AgentSettings = SettingValues<typeof AGENT_SETTINGS>;

/** The optional SSS_CONFIG file: what environment variables cannot express. */
export interface AgentFileConfig {
  interfaceName?: string;
  filter: MountFilter;
  statfsTimeoutMs: number;
}

export interface AgentConfig extends Descriptor {
  dashboardUrl: string;
  /** Where the secret comes from; a file is re-read when it changes. */
  secret: { value: string } | { file: string };
  /** system.hostname: the node name in Kubernetes, else the machine's hostname. */
  hostname: string;
  intervalMs: number;
  paths: HostPaths;
  /** Which interfaces `network.interfaces` lists. */
  interfaces: InterfaceFilter;
  file: AgentFileConfig;
  logLevel: AgentSettings['logLevel'];
  health?: { host: string; port: number };
}

export const DEFAULT_STATFS_TIMEOUT_MS = 2_000;

/** The server id: SSS_SERVER_ID, else NODE_NAME, else the hostname; each must follow the protocol's rule. */
export function resolveServerId(s: Pick<AgentSettings, 'serverId' | 'nodeName'>, host = hostname()): string {
  if (s.serverId) return s.serverId;
  const [source, id] = s.nodeName ? ['NODE_NAME', s.nodeName] : ['the hostname', host];
  if (!SERVER_ID_PATTERN.test(id)) {
    throw new SettingError(
      'SSS_SERVER_ID',
      `server id "${id}" from ${source} is invalid: a server id must be ${SERVER_ID_RULE}; set SSS_SERVER_ID`,
    );
  }
  return id;
}

const FILE_KEYS = {
  top: ['network', 'disks'],
  network: ['interface'],
  disks: ['mountPoints', 'excludeMountPoints', 'excludeFsTypes', 'statfsTimeoutMs'],
} as const;

function section(
  value: unknown,
  where: string,
  keys: readonly string[],
  file: string,
): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new SettingError('SSS_CONFIG', `${file}: ${where} must be a mapping with keys ${keys.join(', ')}`);
  }
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) {
      throw new SettingError(
        'SSS_CONFIG',
        `${file}: unknown key "${where === '(top level)' ? '' : `${where}.`}${key}"; valid keys: ${keys.join(', ')}`,
      );
    }
  }
  return value as Record<string, unknown>;
}

function stringList(value: unknown, where: string, file: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new SettingError('SSS_CONFIG', `${file}: ${where} must be a list of strings`);
  }
  return value as string[];
}

function regexList(value: unknown, where: string, file: string): RegExp[] {
  return (stringList(value, where, file) ?? []).map((source) => {
    try {
      return new RegExp(source);
    } catch (err) {
      throw new SettingError(
        'SSS_CONFIG',
        `${file}: ${where} has an invalid regular expression "${source}": ${(err as Error).message}`,
      );
    }
  });
}

/** Parses the agent's YAML file (see README "Agent configuration"); unknown keys are rejected. */
export function parseFileConfig(yamlText: string, file: string): AgentFileConfig {
  let doc: unknown;
  try {
    // Loaded only here: most agents have no SSS_CONFIG, and the YAML parser costs memory to load.
    const { parse } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
    doc = parse(yamlText);
  } catch (err) {
    throw new SettingError('SSS_CONFIG', `${file} is not valid YAML: ${(err as Error).message}`);
  }
  const top = section(doc, '(top level)', FILE_KEYS.top, file);
  const network = section(top.network, 'network', FILE_KEYS.network, file);
  const disks = section(top.disks, 'disks', FILE_KEYS.disks, file);
  const iface = network.interface;
  if (iface !== undefined && (typeof iface !== 'string' || !/^[^\s/:]{1,15}$/.test(iface))) {
    throw new SettingError('SSS_CONFIG', `${file}: network.interface must be an interface name such as eth0`);
  }
  const timeout = disks.statfsTimeoutMs ?? DEFAULT_STATFS_TIMEOUT_MS;
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 10 || timeout > 60_000) {
    throw new SettingError(
      'SSS_CONFIG',
      `${file}: disks.statfsTimeoutMs must be a whole number from 10 to 60000`,
    );
  }
  const mountPoints = stringList(disks.mountPoints, 'disks.mountPoints', file);
  return {
    ...(iface ? { interfaceName: iface } : {}),
    filter: defaultMountFilter({
      ...(mountPoints ? { mountPoints } : {}),
      excludeMountPoints: regexList(disks.excludeMountPoints, 'disks.excludeMountPoints', file),
      excludeFsTypes: regexList(disks.excludeFsTypes, 'disks.excludeFsTypes', file),
    }),
    statfsTimeoutMs: timeout,
  };
}

/** Reads environment, flags and the optional YAML file. Throws SettingError naming the setting. */
export function loadConfig(env: NodeJS.ProcessEnv, argv: readonly string[]): AgentConfig {
  const s = readSettings(AGENT_SETTINGS, env, argv);
  if (s.authSecret && s.authSecretFile) {
    throw new SettingError('SSS_AUTH_SECRET', 'set only one of SSS_AUTH_SECRET and SSS_AUTH_SECRET_FILE');
  }
  if (!s.authSecret && !s.authSecretFile) {
    throw new SettingError(
      'SSS_AUTH_SECRET',
      "SSS_AUTH_SECRET or SSS_AUTH_SECRET_FILE is required: the dashboard's shared secret",
    );
  }
  const serverId = resolveServerId(s);
  let file: AgentFileConfig = { filter: defaultMountFilter(), statfsTimeoutMs: DEFAULT_STATFS_TIMEOUT_MS };
  if (s.config) {
    let yamlText: string;
    try {
      yamlText = readFileSync(s.config, 'utf8');
    } catch (err) {
      throw new SettingError('SSS_CONFIG', `SSS_CONFIG: cannot read ${s.config}: ${(err as Error).message}`);
    }
    file = parseFileConfig(yamlText, s.config);
  }
  return {
    dashboardUrl: s.dashboardUrl,
    secret: s.authSecretFile ? { file: s.authSecretFile } : { value: s.authSecret ?? '' },
    serverId,
    serverName: s.serverName ?? serverId,
    ...(s.group ? { group: s.group } : {}),
    ...(s.countryCode ? { countryCode: s.countryCode.toUpperCase() } : {}),
    ...(s.location ? { location: s.location } : {}),
    ...(s.ip ? { ip: s.ip } : {}),
    hostname: s.nodeName ?? hostname(),
    intervalMs: Math.round(s.interval * 1000),
    paths: { proc: s.hostProc, sys: s.hostSys, root: s.hostRoot, etc: s.hostEtc },
    interfaces: {
      ...(s.networkInclude ? { include: s.networkInclude } : {}),
      ...(s.networkExclude ? { exclude: s.networkExclude } : {}),
    },
    file,
    logLevel: s.logLevel,
    ...(s.healthPort === 0 ? {} : { health: { host: s.healthHost, port: s.healthPort } }),
  };
}
