import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PortTaken, saysPortTaken, startOnFreePort } from './ports';
import { Program } from './processes';
import { findTool } from './tools';

export const nginxPath = findTool('nginx');

export interface Nginx {
  port: number;
  /** http://127.0.0.1:port */
  url: string;
  /** ws://127.0.0.1:port */
  wsUrl: string;
  /** The error log so far, for failure messages. */
  errors(): string;
  stop(): Promise<void>;
}

export interface NginxOptions {
  /** Loopback ports of the backends; more than one makes nginx balance between them (round robin). */
  upstreams: number[];
  /** Extra directives inside the upstream block, e.g. `ip_hash;`. */
  upstream?: string;
}

/**
 * Debian's nginx as a reverse proxy on loopback, passing WebSocket upgrades and X-Forwarded-For to the backends,
 * run in the foreground (daemon off) with its prefix, config, pid, logs and temp files in a temp folder.
 */
export async function startNginx(options: NginxOptions): Promise<Nginx> {
  if (!nginxPath) throw new Error('nginx is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'sss-nginx-'));
  for (const sub of ['logs', 'temp']) mkdirSync(join(dir, sub));
  const temp = (name: string) => `${name}_temp_path ${join(dir, 'temp', name)};`;
  const errorLog = join(dir, 'logs/error.log');
  const launch = async (port: number): Promise<Nginx> => {
    writeFileSync(
      join(dir, 'nginx.conf'),
      `daemon off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${errorLog} info;
events { worker_connections 1024; }
http {
  access_log ${join(dir, 'logs/access.log')};
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n  ')}
  upstream backends {
    ${options.upstream ?? ''}
    ${options.upstreams.map((p) => `server 127.0.0.1:${p};`).join('\n    ')}
  }
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backends;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_read_timeout 1h;
    }
  }
}
`,
    );
    writeFileSync(errorLog, '');
    const child = spawn(nginxPath, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', errorLog], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const program = new Program('nginx', child);
    const errors = () => {
      try {
        return readFileSync(errorLog, 'utf8');
      } catch {
        return program.stderr.join('');
      }
    };
    const stop = async () => {
      await program.stop('SIGQUIT');
    };
    // The master starts its worker once its listening socket is bound; something else answering on the port (a
    // process that took it first) is no sign of that. nginx retries a taken port for 2.5 s, then exits.
    const deadline = Date.now() + 15_000;
    while (!errors().includes('start worker processes')) {
      if (child.exitCode !== null || Date.now() > deadline) {
        const why = `nginx did not start listening on ${port}:\n${errors()}`;
        await stop();
        throw saysPortTaken(why) ? new PortTaken(why) : new Error(why);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { port, url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}`, errors, stop };
  };
  try {
    const nginx = await startOnFreePort(launch);
    return {
      ...nginx,
      stop: async () => {
        await nginx.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
