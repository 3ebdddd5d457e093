// `npm start`: the whole system on one machine. Starts the dashboard (with the built ui) and an agent for this
// machine that share a freshly generated secret, prints the URL, and stops both on Ctrl-C.
// Honoured: SSS_PORT (default 8900; 0 picks a free port), SSS_HOST (default 127.0.0.1: the demo is not exposed
// to the network), SSS_AUTH_SECRET (default: generated), SSS_INTERVAL, SSS_LOG_LEVEL, SSS_HEALTH_PORT (agent; default off),
// SSS_CONFIG (the dashboard's server list), SSS_KUBERNETES (default off: a KUBECONFIG in the shell would otherwise
// fill the demo with that cluster's Nodes as servers missing their agents), SSS_DATA_DIR (default .data/ in the
// checkout, which git ignores: history and the known servers outlive a restart).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const dashboardMain = `${root}dashboard/dist/main.js`;
const agentMain = `${root}agent/dist/main.js`;
for (const main of [dashboardMain, agentMain]) {
  if (!existsSync(main)) {
    console.error(`${main} is missing: run \`npm run build\` first (\`npm start\` does)`);
    process.exit(1);
  }
}

// Both programs get the environment, less what only one of them may read.
const { SSS_CONFIG, SSS_AUTH_SECRET_FILE: _file, ...env } = process.env;
const secret = env.SSS_AUTH_SECRET || randomBytes(24).toString('base64url');
const children: ChildProcess[] = [];
let stopping = false;

/** Starts one of our programs; its pino JSON log lines are shown prefixed with its name. */
function start(
  name: string,
  main: string,
  childEnv: Record<string, string>,
  onLine?: (line: string) => void,
) {
  const child = spawn(process.execPath, ['--enable-source-maps', main], {
    env: { ...env, ...childEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      console.log(`${name.padEnd(9)} | ${line}`);
      onLine?.(line);
    });
  }
  child.once('exit', (code, signal) => {
    if (stopping) return;
    console.error(`${name} exited (${signal ?? `code ${code}`}); stopping`);
    void stop(1);
  });
  return child;
}

async function stop(exitCode: number): Promise<never> {
  stopping = true;
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  process.exit(exitCode);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

const port = await new Promise<number>((resolve) => {
  start(
    'dashboard',
    dashboardMain,
    {
      SSS_PORT: env.SSS_PORT || '8900',
      SSS_HOST: env.SSS_HOST || '127.0.0.1',
      SSS_AUTH_SECRET: secret,
      SSS_KUBERNETES: env.SSS_KUBERNETES || 'off',
      SSS_DATA_DIR: env.SSS_DATA_DIR || `${root}.data`,
      ...(SSS_CONFIG ? { SSS_CONFIG } : {}),
    },
    (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'listening' && typeof entry.port === 'number') resolve(entry.port);
      } catch {
        // not a log line
      }
    },
  );
});

start('agent', agentMain, {
  SSS_DASHBOARD_URL: `ws://127.0.0.1:${port}/ws-report`,
  SSS_AUTH_SECRET: secret,
  SSS_HEALTH_PORT: env.SSS_HEALTH_PORT || '0',
});

console.log(`
SimpleServerStatus is running: http://localhost:${port}
  this machine reports to it every ${env.SSS_INTERVAL || 5} s; API: http://localhost:${port}/api/servers
  another host can report too (with SSS_HOST=0.0.0.0 here):
    SSS_AUTH_SECRET=${secret} SSS_DASHBOARD_URL=ws://<this-host>:${port}/ws-report npm run agent
  Ctrl-C stops both.
`);
