import { describeSettings, listenError, SettingError } from '@sss/protocol';
import { background } from './background';
import { allSettings, loadConfig } from './config';
import { createLogger } from './logger';
import { createDashboard } from './server';

/** Kubernetes waits 30 s by default; we promise to be gone well within 5 s of SIGTERM. */
const SHUTDOWN_DEADLINE_MS = 4_500;

/** The version of dashboard/package.json, put in by the bundler. */
declare const SSS_VERSION: string;

const argv = process.argv.slice(2);
if (argv.includes('--version')) {
  console.log(`sss-dashboard ${SSS_VERSION}`);
  process.exit(0);
}
if (argv.includes('--help') || argv.includes('-h')) {
  console.log(
    `Usage: sss-dashboard [options]\nEvery option can also be set by its environment variable.\n\n${describeSettings(allSettings)}\n  --version                  prints the version`,
  );
  process.exit(0);
}

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env, argv);
} catch (err) {
  if (!(err instanceof SettingError)) throw err;
  console.error(`sss-dashboard: ${err.message}`);
  process.exit(1);
}

const log = createLogger(config.logLevel);
let dashboard: Awaited<ReturnType<typeof createDashboard>>;
try {
  dashboard = await createDashboard(config, log);
} catch (err) {
  if (!(err instanceof SettingError)) throw err;
  console.error(`sss-dashboard: ${err.message}`);
  process.exit(1);
}

// Before listening: a SIGTERM that comes as soon as `listening` is logged must find its handler.
let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => {
      log.warn('shutdown deadline passed; exiting');
      process.exit(0);
    }, SHUTDOWN_DEADLINE_MS).unref();
    background(
      dashboard.close().then(() => {
        log.info('stopped');
        process.exit(0);
      }),
      log,
      'shutdown',
    );
  });
}

try {
  const address = await dashboard.listen();
  log.info(
    { host: address.address, port: address.port, servers: config.servers?.size ?? 'any' },
    'listening',
  );
} catch (err) {
  const where = { host: config.host, port: config.port, portSetting: 'SSS_PORT', hostSetting: 'SSS_HOST' };
  console.error(`sss-dashboard: ${listenError(err as Error, where).message}`);
  process.exit(1);
}
