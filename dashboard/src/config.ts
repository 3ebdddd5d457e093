import { readFileSync } from 'node:fs';
import {
  DEFAULT_PORT,
  decimal,
  integer,
  isValidServerId,
  LOG_LEVELS,
  MAX_REPORT_BYTES,
  oneOf,
  optionalSetting,
  REPORT_INTERVAL_SECONDS,
  readSettings,
  SERVER_ID_RULE,
  SettingError,
  type SettingValues,
  setting,
  text,
} from '@sss/protocol';
import { parse as parseYaml } from 'yaml';
import { addressList } from './access/client-address';
import {
  type AlertsConfig,
  DEFAULT_ALERTS,
  parseExternalUrl,
  parseReceivers,
  parseRules,
} from './alerts/config';
import { KUBERNETES_MODES } from './kubernetes/api-server';
import { replicaSettings } from './replicas/settings';

/** Which server ids may report: any valid id, or only the names of the cluster's Nodes. */
export const ID_POLICIES = ['any', 'nodes'] as const;

export const settings = {
  port: setting('SSS_PORT', 'listen port (0 picks a free one)', integer(0, 65535), DEFAULT_PORT),
  host: setting('SSS_HOST', 'listen address', text, '0.0.0.0'),
  authSecret: optionalSetting('SSS_AUTH_SECRET', 'shared secret agents must send', text),
  authSecretFile: optionalSetting(
    'SSS_AUTH_SECRET_FILE',
    'file holding the shared secret, re-read on change',
    text,
  ),
  configFile: optionalSetting(
    'SSS_CONFIG',
    'YAML file: the servers that may report, alert rules, notification receivers',
    text,
  ),
  interval: setting(
    'SSS_INTERVAL',
    'expected report interval, seconds; offline after 3 missed',
    decimal(0.1, 3600),
    REPORT_INTERVAL_SECONDS,
  ),
  heartbeatTimeout: setting(
    'SSS_HEARTBEAT_TIMEOUT',
    'close an agent connection silent this long, seconds',
    decimal(0.1, 3600),
    60,
  ),
  maxMessageSize: setting(
    'SSS_MAX_MESSAGE_SIZE',
    'largest report accepted, bytes',
    integer(1024, 16 * 1024 * 1024),
    MAX_REPORT_BYTES,
  ),
  historySize: setting(
    'SSS_HISTORY_SIZE',
    'reports kept per server for the charts',
    integer(2, 100_000),
    720,
  ),
  dataDir: optionalSetting(
    'SSS_DATA_DIR',
    'folder of the history store (one SQLite file): 1-minute and 15-minute history and the known servers, kept across restarts; unset: history in memory only',
    text,
  ),
  historyMinuteRetention: setting(
    'SSS_HISTORY_1M_RETENTION',
    'hours 1-minute history points are kept (with SSS_DATA_DIR)',
    integer(1, 8_760),
    48,
  ),
  historyQuarterRetention: setting(
    'SSS_HISTORY_15M_RETENTION',
    'days 15-minute history points and resolved alerts are kept (with SSS_DATA_DIR)',
    integer(1, 3_650),
    30,
  ),
  authFailureLimit: setting(
    'SSS_AUTH_FAILURE_LIMIT',
    'failed agent logins per address before HTTP 429',
    integer(1, 1_000_000),
    10,
  ),
  authFailureWindow: setting(
    'SSS_AUTH_FAILURE_WINDOW',
    'seconds over which failed logins are counted',
    decimal(1, 86_400),
    60,
  ),
  authFailureAddressLimit: setting(
    'SSS_AUTH_FAILURE_ADDRESS_LIMIT',
    'failed logins per address, all ids together, before HTTP 429 for ids that never reported',
    integer(1, 1_000_000),
    100,
  ),
  frontendToken: optionalSetting('SSS_FRONTEND_TOKEN', 'token browsers must present (?token=)', text),
  uiDir: optionalSetting(
    'SSS_UI_DIR',
    'folder of the built ui (default: ui/dist beside the dashboard)',
    text,
  ),
  logLevel: setting('SSS_LOG_LEVEL', 'log level', oneOf(LOG_LEVELS), 'info'),
  kubernetes: setting(
    'SSS_KUBERNETES',
    "watch the cluster's Nodes: auto (in a pod or with KUBECONFIG), on or off",
    oneOf(KUBERNETES_MODES),
    'auto',
  ),
  idPolicy: setting(
    'SSS_ID_POLICY',
    'ids that may report: any, or nodes (only names of Nodes; needs Kubernetes)',
    oneOf(ID_POLICIES),
    'any',
  ),
};

/** Limits against floods and guessing; README "Limits" says why each default is what it is. */
export const limitSettings = {
  headerTimeout: setting(
    'SSS_HEADER_TIMEOUT',
    'seconds a connection may take to send its request headers (also before a WebSocket upgrade)',
    decimal(0.5, 300),
    5,
  ),
  keepAliveTimeout: setting(
    'SSS_KEEPALIVE_TIMEOUT',
    'seconds an idle keep-alive HTTP connection is kept open',
    decimal(0.5, 300),
    5,
  ),
  maxConnectionsPerAddress: setting(
    'SSS_MAX_CONNECTIONS_PER_ADDRESS',
    'open TCP connections per client address (trusted proxies exempt); more are closed at accept',
    integer(1, 10_000_000),
    1_024,
  ),
  descriptorHeadroom: setting(
    'SSS_DESCRIPTOR_HEADROOM',
    'file descriptors kept free below the open-files limit; connections beyond it are closed at accept',
    integer(16, 1_000_000),
    256,
  ),
  trustedProxies: optionalSetting(
    'SSS_TRUSTED_PROXIES',
    'comma-separated addresses or CIDRs whose X-Forwarded-For names the client (default: none)',
    addressList,
  ),
  maxServers: setting(
    'SSS_MAX_SERVERS',
    'servers kept at most, Kubernetes Nodes not counted; new ids beyond it are refused with 1013',
    integer(1, 10_000_000),
    10_000,
  ),
  metricsToken: optionalSetting(
    'SSS_METRICS_TOKEN',
    '/metrics needs Authorization: Bearer <token> when set',
    text,
  ),
  metricsTokenFile: optionalSetting(
    'SSS_METRICS_TOKEN_FILE',
    'file holding the /metrics token, re-read on change',
    text,
  ),
};

export const allSettings = { ...settings, ...limitSettings, ...replicaSettings };

/** One entry of the SSS_CONFIG server list; any field but `id` overrides what the agent reports. */
export interface ServerEntry {
  id: string;
  name?: string;
  group?: string;
  countryCode?: string;
  location?: string;
  /** Replaces the shared secret for this server. */
  secret?: string;
}

export interface DashboardConfig
  extends Omit<SettingValues<typeof settings>, 'configFile'>,
    SettingValues<typeof limitSettings>,
    SettingValues<typeof replicaSettings> {
  /** When present, only these ids may report. */
  servers?: ReadonlyMap<string, ServerEntry>;
  /** Alert rules and notification receivers (the default rules when SSS_CONFIG has no `alerts:`). */
  alerts: AlertsConfig;
}

/** What SSS_CONFIG holds: each section is optional. */
export interface ConfigFile {
  /** When present, only these ids may report. */
  servers?: Map<string, ServerEntry>;
  alerts: AlertsConfig;
}

const FILE_KEYS = ['servers', 'alerts', 'notifications', 'externalUrl'];

const ENTRY_KEYS = ['id', 'name', 'group', 'countryCode', 'location', 'secret'] as const;

/** Parses the SSS_CONFIG YAML; every error names the file, the entry (or rule, or receiver) and the key. */
export function parseConfigFile(source: string, file: string): ConfigFile {
  const fail = (where: string, message: string): never => {
    throw new SettingError('SSS_CONFIG', `SSS_CONFIG (${file}): ${where}${message}`);
  };
  let doc: unknown;
  try {
    doc = parseYaml(source);
  } catch (err) {
    return fail('', `is not valid YAML: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return { alerts: DEFAULT_ALERTS };
  if (typeof doc !== 'object' || Array.isArray(doc))
    return fail('', `must be a mapping with the keys ${FILE_KEYS.join(', ')}`);
  const sections = doc as Record<string, unknown>;
  for (const key of Object.keys(sections)) {
    if (!FILE_KEYS.includes(key)) fail('', `unknown key "${key}"; valid keys: ${FILE_KEYS.join(', ')}`);
  }
  const alerts: AlertsConfig = {
    rules: 'alerts' in sections ? parseRules(sections.alerts, fail) : DEFAULT_ALERTS.rules,
    receivers: 'notifications' in sections ? parseReceivers(sections.notifications, fail) : [],
    ...('externalUrl' in sections ? { externalUrl: parseExternalUrl(sections.externalUrl, fail) } : {}),
  };
  return 'servers' in sections ? { servers: parseServers(sections.servers, fail), alerts } : { alerts };
}

function parseServers(
  list: unknown,
  fail: (where: string, message: string) => never,
): Map<string, ServerEntry> {
  if (!Array.isArray(list))
    return fail('', '"servers" must be a list of {id, name, group, countryCode, location, secret}');
  const servers = new Map<string, ServerEntry>();
  for (const [i, item] of (list as unknown[]).entries()) {
    const where = `servers[${i}]: `;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) fail(where, 'must be a mapping');
    const entry = item as Record<string, unknown>;
    for (const [key, value] of Object.entries(entry)) {
      if (!(ENTRY_KEYS as readonly string[]).includes(key)) {
        fail(where, `unknown key "${key}"; valid keys: ${ENTRY_KEYS.join(', ')}`);
      }
      if (typeof value !== 'string' || value === '') fail(where, `"${key}" must be a non-empty string`);
    }
    const id = entry.id as string | undefined;
    if (id === undefined) return fail(where, '"id" is required');
    if (!isValidServerId(id)) fail(where, `"id" must be ${SERVER_ID_RULE}, got "${id}"`);
    if (servers.has(id)) fail(where, `id "${id}" is listed twice`);
    const countryCode = entry.countryCode as string | undefined;
    if (countryCode !== undefined && !/^[A-Za-z]{2}$/.test(countryCode)) {
      fail(where, `"countryCode" must be an ISO 3166-1 alpha-2 code such as "DE", got "${countryCode}"`);
    }
    servers.set(id, {
      ...(entry as unknown as ServerEntry),
      ...(countryCode ? { countryCode: countryCode.toUpperCase() } : {}),
    });
  }
  return servers;
}

/** Reads env and flags, then the YAML file; throws SettingError naming the setting. */
export function loadConfig(env: NodeJS.ProcessEnv, argv: readonly string[]): DashboardConfig {
  const { configFile, ...values } = readSettings(allSettings, env, argv);
  if (values.metricsToken !== undefined && values.metricsTokenFile !== undefined) {
    throw new SettingError(
      'SSS_METRICS_TOKEN',
      'set only one of SSS_METRICS_TOKEN and SSS_METRICS_TOKEN_FILE',
    );
  }
  if (values.authSecret === undefined && values.authSecretFile === undefined) {
    throw new SettingError(
      'SSS_AUTH_SECRET',
      'SSS_AUTH_SECRET or SSS_AUTH_SECRET_FILE is required (the secret agents send)',
    );
  }
  if (values.authSecret !== undefined && values.authSecretFile !== undefined) {
    throw new SettingError('SSS_AUTH_SECRET', 'set only one of SSS_AUTH_SECRET and SSS_AUTH_SECRET_FILE');
  }
  if (configFile === undefined) return { ...values, alerts: DEFAULT_ALERTS };
  let source: string;
  try {
    source = readFileSync(configFile, 'utf8');
  } catch (err) {
    throw new SettingError(
      'SSS_CONFIG',
      `SSS_CONFIG: cannot read "${configFile}": ${(err as Error).message}`,
    );
  }
  return { ...values, ...parseConfigFile(source, configFile) };
}
