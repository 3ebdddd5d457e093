// Configuration shared by the agent and the dashboard: environment first, command-line flags mirror it
// (SSS_PORT <-> --port, HOST_PROC <-> --host-proc) and win. Every error names the setting and the valid values.

export class SettingError extends Error {
  constructor(
    /** The variable or flag as the user wrote it, e.g. `SSS_PORT` or `--port`. */
    readonly setting: string,
    message: string,
  ) {
    super(message);
    this.name = 'SettingError';
  }
}

/** Parses a raw value; `name` is the variable or flag the value came from, for the error message. */
export type Parser<T> = (raw: string, name: string) => T;

export interface Setting<T> {
  readonly env: string;
  readonly help: string;
  readonly parse: Parser<T>;
  readonly fallback: T;
}

export function setting<T>(env: string, help: string, parse: Parser<T>, fallback: T): Setting<T> {
  return { env, help, parse, fallback };
}

export function optionalSetting<T>(env: string, help: string, parse: Parser<T>): Setting<T | undefined> {
  return { env, help, parse, fallback: undefined };
}

export function flagOf(env: string): string {
  return `--${env.replace(/^SSS_/, '').toLowerCase().replaceAll('_', '-')}`;
}

export type SettingValues<S> = { [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

type Env = Readonly<Record<string, string | undefined>>;

/** Reads every setting; an empty variable counts as unset. Throws SettingError. */
export function readSettings<S extends Record<string, Setting<unknown>>>(
  specs: S,
  env: Env,
  argv: readonly string[],
): SettingValues<S> {
  const byFlag = new Map(Object.values(specs).map((s) => [flagOf(s.env), s]));
  const fromFlags = new Map<Setting<unknown>, { raw: string; name: string }>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const spec = byFlag.get(flag);
    if (!spec) {
      throw new SettingError(arg, `unknown option "${arg}"; valid options: ${[...byFlag.keys()].join(', ')}`);
    }
    const raw = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (raw === undefined) throw new SettingError(flag, `${flag} needs a value`);
    fromFlags.set(spec, { raw, name: flag });
  }
  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const given =
      fromFlags.get(spec) ?? (env[spec.env] ? { raw: env[spec.env] ?? '', name: spec.env } : undefined);
    values[key] = given ? spec.parse(given.raw.trim(), given.name) : spec.fallback;
  }
  return values as SettingValues<S>;
}

/** One line per setting, for --help. */
export function describeSettings(specs: Record<string, Setting<unknown>>): string {
  return Object.values(specs)
    .map((s) => {
      const fallback = s.fallback === undefined ? '' : ` (default: ${String(s.fallback)})`;
      return `  ${flagOf(s.env).padEnd(26)} ${s.env.padEnd(24)} ${s.help}${fallback}`;
    })
    .join('\n');
}

export function integer(min: number, max: number): Parser<number> {
  return (raw, name) => {
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw) || n < min || n > max) {
      throw new SettingError(name, `${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
    }
    return n;
  };
}

export function decimal(min: number, max: number): Parser<number> {
  return (raw, name) => {
    const n = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw) || n < min || n > max) {
      throw new SettingError(name, `${name} must be a number from ${min} to ${max}, got "${raw}"`);
    }
    return n;
  };
}

export function oneOf<const T extends string>(values: readonly T[]): Parser<T> {
  return (raw, name) => {
    if (!(values as readonly string[]).includes(raw)) {
      throw new SettingError(name, `${name} must be one of ${values.join(', ')}, got "${raw}"`);
    }
    return raw as T;
  };
}

export function matching(pattern: RegExp, rule: string): Parser<string> {
  return (raw, name) => {
    if (!pattern.test(raw)) throw new SettingError(name, `${name} must be ${rule}, got "${raw}"`);
    return raw;
  };
}

export const text: Parser<string> = (raw) => raw;

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * A server that could not listen, as a SettingError naming the setting to change: the one-line message every
 * other bad setting gets, instead of a stack.
 */
export function listenError(
  err: { code?: string; message: string },
  where: { host: string; port: number; portSetting: string; hostSetting: string },
): SettingError {
  const { host, port, portSetting, hostSetting } = where;
  switch (err.code) {
    case 'EADDRINUSE':
      return new SettingError(
        portSetting,
        `${portSetting}: port ${port} on ${host} is already in use (another program, or this one running twice); set ${portSetting} to a free port`,
      );
    case 'EACCES':
      return new SettingError(
        portSetting,
        `${portSetting}: port ${port} needs privileges this process lacks; set ${portSetting} to a port from 1024 to 65535`,
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new SettingError(
        hostSetting,
        `${hostSetting}: ${host} is no address of this machine; set ${hostSetting} to one of its addresses, 0.0.0.0 or ::`,
      );
    default:
      return new SettingError(
        portSetting,
        `${hostSetting}, ${portSetting}: cannot listen on ${host}:${port}: ${err.message}`,
      );
  }
}
