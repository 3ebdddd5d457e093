// The agent: reads this host (or the node, through HOST_PROC & co. in a pod) and reports to the dashboard.
import { describeSettings, listenError, SettingError } from '@sss/protocol';
import { SharedSecret } from '@sss/protocol/secret-file';
import { HostCollector } from './collect/collector';
import { FailureLog } from './collect/failures';
import { BoundedStatfs } from './collect/statfs';
import { goArch } from './collect/system';
import { AGENT_SETTINGS, type AgentConfig, loadConfig } from './config';
import { readCpuModel } from './cpu-model';
import { startHealthServer } from './health';
import { agentLogger } from './logger';
import { ReportLoop } from './loop';
import { Reporter } from './reporter';

/** The version of agent/package.json, put in by the bundler. */
declare const SSS_VERSION: string;

function fail(message: string): never {
  process.stderr.write(`sss-agent: ${message}\n`);
  process.exit(1);
}

const argv = process.argv.slice(2);
if (argv.includes('--version')) {
  process.stdout.write(`sss-agent ${SSS_VERSION}\n`);
  process.exit(0);
}
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(
    `Usage: sss-agent [options]   (every option can also be set by its environment variable)\n\n${describeSettings(AGENT_SETTINGS)}\n  --version                  prints the version\n`,
  );
  process.exit(0);
}

let config: AgentConfig;
try {
  config = loadConfig(process.env, argv);
} catch (err) {
  if (err instanceof SettingError) fail(err.message);
  throw err;
}

const log = agentLogger(config.logLevel, config.serverId);

let secret: SharedSecret;
try {
  secret = new SharedSecret(config.secret);
} catch (err) {
  if (err instanceof SettingError) fail(err.message);
  throw err;
}

const failures = new FailureLog(log);
const collector = new HostCollector({
  paths: config.paths,
  filter: config.file.filter,
  ...(config.file.interfaceName ? { interfaceName: config.file.interfaceName } : {}),
  interfaces: config.interfaces,
  statfs: new BoundedStatfs(config.file.statfsTimeoutMs),
  failures,
});
const reporter = new Reporter({
  url: config.dashboardUrl,
  serverId: config.serverId,
  secret: () => secret.current(),
  log,
});
const loop = new ReportLoop(
  collector,
  {
    serverId: config.serverId,
    serverName: config.serverName,
    group: config.group,
    countryCode: config.countryCode,
    location: config.location,
    ip: config.ip,
    hostname: config.hostname,
    cpuModel: await readCpuModel(config.paths.proc, log),
    arch: goArch(process.arch),
  },
  config.intervalMs,
  (info) => reporter.send(info),
  log,
);

const health = config.health
  ? await startHealthServer(config.health.host, config.health.port, () => loop.alive()).catch((err: Error) =>
      fail(
        listenError(err, {
          host: config.health?.host ?? '',
          port: config.health?.port ?? 0,
          portSetting: 'SSS_HEALTH_PORT',
          hostSetting: 'SSS_HEALTH_HOST',
        }).message,
      ),
    )
  : undefined;

// Before 'agent starting' is logged: a SIGTERM that comes as soon as the agent says so must find its handler.
let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping');
  loop.stop();
  secret.stop();
  await reporter.stop();
  health?.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

log.info(
  {
    dashboardUrl: config.dashboardUrl,
    intervalMs: config.intervalMs,
    paths: config.paths,
    health: config.health ? `${config.health.host}:${config.health.port}` : 'off',
  },
  'agent starting',
);
await loop.start();
reporter.start();
secret.watch(log, () => reporter.reconnectNow());
