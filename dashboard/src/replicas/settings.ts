import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { matching, optionalSetting, type Parser, SettingError, setting, text } from '@sss/protocol';

const URL_SCHEMES = ['redis://', 'rediss://'] as const;

/** A redis:// or rediss:// URL with a host; anything else names the setting and the valid schemes. */
export const redisUrl: Parser<URL> = (raw, name) => {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || !URL_SCHEMES.includes(`${url.protocol}//` as (typeof URL_SCHEMES)[number]) || !url.hostname) {
    throw new SettingError(
      name,
      `${name} must be a URL starting with ${URL_SCHEMES.join(' or ')} and naming a host (redis://host:6379), got "${raw.replace(/\/\/[^@/]*@/, '//***@')}"`,
    );
  }
  return url;
};

const NAME_RULE = '1-253 characters of A-Z, a-z, 0-9, ".", "_", ":" and "-"';
const NAME = /^[A-Za-z0-9._:-]{1,253}$/;

export function defaultReplicaId(): string {
  return `${hostname()}-${randomBytes(3).toString('hex')}`;
}

/** Replicas over Redis (README "Replicas"); with no SSS_REDIS_URL none of this is used. */
export const replicaSettings = {
  redisUrl: optionalSetting(
    'SSS_REDIS_URL',
    'redis:// or rediss:// URL of the Redis (or Valkey) replicas share; unset: one process, no Redis',
    redisUrl,
  ),
  redisPasswordFile: optionalSetting(
    'SSS_REDIS_PASSWORD_FILE',
    'file holding the Redis password, read at every (re)connect',
    text,
  ),
  redisCaFile: optionalSetting('SSS_REDIS_CA_FILE', 'PEM CA file to verify a rediss:// server', text),
  redisPrefix: setting(
    'SSS_REDIS_PREFIX',
    'prefix of the Redis keys and channel',
    matching(NAME, NAME_RULE),
    'sss',
  ),
  replicaId: optionalSetting(
    'SSS_REPLICA_ID',
    "this replica's name in Redis and logs (default: hostname and a random suffix)",
    matching(NAME, NAME_RULE),
  ),
};

export interface ReplicaConfig {
  redisUrl?: URL | undefined;
  redisPasswordFile?: string | undefined;
  redisCaFile?: string | undefined;
  redisPrefix: string;
  replicaId?: string | undefined;
}

function readSettingFile(file: string, setting: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new SettingError(setting, `${setting}: cannot read ${what} "${file}": ${(err as Error).message}`);
  }
}

/** The password in SSS_REDIS_PASSWORD_FILE now (trailing newline trimmed); throws SettingError when unreadable. */
export function readPassword(file: string): string {
  return readSettingFile(file, 'SSS_REDIS_PASSWORD_FILE', 'the Redis password file').replace(/\r?\n$/, '');
}

/** The CA of SSS_REDIS_CA_FILE; throws SettingError when unreadable or without rediss://. */
export function readCa(config: ReplicaConfig): string | undefined {
  if (config.redisCaFile === undefined) return undefined;
  if (config.redisUrl?.protocol !== 'rediss:') {
    throw new SettingError('SSS_REDIS_CA_FILE', 'SSS_REDIS_CA_FILE needs a rediss:// SSS_REDIS_URL (TLS)');
  }
  return readSettingFile(config.redisCaFile, 'SSS_REDIS_CA_FILE', 'the CA file');
}
