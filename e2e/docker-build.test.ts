// Acceptance 4 of issue 5, without a Docker engine (none runs here): this test reads Dockerfile.dashboard and
// Dockerfile.agent and performs their steps itself, each stage in a clean temporary folder standing in for the
// image's root filesystem. COPY copies the same files from the build context (filtered by .dockerignore) or
// from an earlier stage, RUN runs the same shell command in the stage's WORKDIR, ENV/USER/HEALTHCHECK/CMD are
// recorded. Then it starts each program from its final stage, as the image's CMD would, and runs the image's
// HEALTHCHECK against it, so a runtime file or a production dependency missing from an image fails here.
// What differs from Docker: RUN and CMD use this machine's node and npm (the images use Node 24 from node:24-*),
// and npm may answer from its local cache (prefer-offline).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/paths';
import { startOnFreePort, upOnPort } from './support/ports';
import { newSecret, Program } from './support/processes';

interface Stage {
  name: string;
  image: string;
  /** Stands in for the stage's root filesystem. */
  root: string;
  workdir: string;
  env: Record<string, string>;
  runs: string[];
  user?: string;
  expose: string[];
  healthcheck?: string[];
  cmd?: string[];
}

interface Image {
  stages: Stage[];
  final: Stage;
  /** The final stage's WORKDIR on this machine. */
  app: string;
}

/** Dockerfile lines as [instruction, arguments], continuation lines joined, comments dropped. */
function instructions(text: string): [string, string][] {
  const joined = text.replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [word = '', ...rest] = line.split(/\s+/);
      return [word.toUpperCase(), rest.join(' ')];
    });
}

/** .dockerignore patterns as regular expressions over context-relative paths (`*`, `?` and `**` as Docker reads them). */
function ignoreRules(text: string): RegExp[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((pattern) => {
      if (/[![\]\\]/.test(pattern)) throw new Error(`.dockerignore: this test does not handle "${pattern}"`);
      const source = pattern
        .replace(/^\/+|\/+$/g, '')
        .split('/')
        .map((part) =>
          part === '**'
            ? '(?:.*)'
            : part
                .replace(/[.+^${}()|]/g, '\\$&')
                .replace(/\*/g, '[^/]*')
                .replace(/\?/g, '[^/]'),
        )
        .join('/')
        .replace(/\(\?:\.\*\)\//g, '(?:.*/)?');
      return new RegExp(`^${source}$`);
    });
}

/** A path is ignored when a rule matches it or one of its parent folders. */
function ignored(path: string, rules: RegExp[]): boolean {
  const parts = path.split('/');
  return parts.some((_, i) => rules.some((rule) => rule.test(parts.slice(0, i + 1).join('/'))));
}

/** Copies from the build context, leaving out what .dockerignore names. */
function copyFromContext(src: string, dest: string, rules: RegExp[]) {
  const from = join(repoRoot, src);
  const rel = relative(repoRoot, from);
  if (!existsSync(from) || ignored(rel, rules)) throw new Error(`COPY ${src}: not in the build context`);
  if (statSync(from).isDirectory()) {
    cpSync(from, dest, { recursive: true, filter: (path) => !ignored(relative(repoRoot, path), rules) });
  } else {
    mkdirSync(dirname(dest), { recursive: true });
    cpSync(from, dest);
  }
}

/** The absolute in-image path `path` means in a stage (relative paths are relative to WORKDIR). */
const inImage = (stage: Stage, path: string) => (path.startsWith('/') ? path : join(stage.workdir, path));

function copy(stage: Stage, args: string, stages: Stage[], rules: RegExp[]) {
  const words = args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  const dest = paths.pop();
  if (!dest || paths.length === 0) throw new Error(`COPY ${args}: needs a source and a destination`);
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  const unknown = flags.filter((f) => !f.startsWith('--from='));
  if (unknown.length > 0) throw new Error(`COPY ${args}: this test does not handle ${unknown.join(' ')}`);
  const source = from === undefined ? undefined : stages.find((s) => s.name === from);
  if (from !== undefined && !source) throw new Error(`COPY --from=${from}: no such stage`);
  for (const src of paths) {
    if (/[*?[]/.test(src)) throw new Error(`COPY ${src}: this test does not handle wildcards`);
    const intoFolder = dest.endsWith('/') || paths.length > 1;
    let target = join(stage.root, inImage(stage, dest));
    if (source) {
      const origin = join(source.root, inImage(source, src));
      if (!existsSync(origin)) throw new Error(`COPY --from=${from} ${src}: not found in stage ${from}`);
      if (intoFolder && !statSync(origin).isDirectory()) target = join(target, basename(src));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(origin, target, { recursive: true, verbatimSymlinks: true });
    } else {
      const isDir = existsSync(join(repoRoot, src)) && statSync(join(repoRoot, src)).isDirectory();
      if (intoFolder && !isDir) target = join(target, basename(src));
      copyFromContext(src, target, rules);
    }
  }
}

/** A JSON-array (exec form) argument, as CMD and HEALTHCHECK CMD must be written here. */
function execForm(what: string, text: string): string[] {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (Array.isArray(parsed) && parsed.every((p) => typeof p === 'string')) return parsed;
  } catch {}
  throw new Error(`${what} must use the exec form ["node", ...]: ${text}`);
}

/** Every stage folder made, so afterAll removes them even when a build fails half-way. */
const stageRoots: string[] = [];

/** Builds a Dockerfile's stages in temporary folders and returns them. */
function build(dockerfile: string, workspace: string): Image {
  const rules = ignoreRules(readFileSync(join(repoRoot, '.dockerignore'), 'utf8'));
  const stages: Stage[] = [];
  let stage: Stage | undefined;
  for (const [instruction, args] of instructions(readFileSync(join(repoRoot, dockerfile), 'utf8'))) {
    if (instruction === 'FROM') {
      const [image = '', as, name] = args.split(/\s+/);
      const root = mkdtempSync(join(tmpdir(), `sss-${workspace}-stage-`));
      stageRoots.push(root);
      stage = {
        name: as?.toUpperCase() === 'AS' && name ? name : String(stages.length),
        image,
        root,
        workdir: '/',
        env: {},
        runs: [],
        expose: [],
      };
      stages.push(stage);
      continue;
    }
    if (!stage) throw new Error(`${dockerfile}: ${instruction} before FROM`);
    switch (instruction) {
      case 'WORKDIR':
        stage.workdir = inImage(stage, args);
        mkdirSync(join(stage.root, stage.workdir), { recursive: true });
        break;
      case 'ENV':
        for (const pair of args.split(/\s+/)) {
          const [key, ...value] = pair.split('=');
          if (!key || value.length === 0) throw new Error(`ENV ${args}: write ENV KEY=value`);
          stage.env[key] = value.join('=');
        }
        break;
      case 'COPY':
        copy(stage, args, stages, rules);
        break;
      case 'RUN': {
        stage.runs.push(args);
        const result = spawnSync('sh', ['-c', args], {
          cwd: join(stage.root, stage.workdir),
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '/tmp',
            npm_config_prefer_offline: 'true',
            ...stage.env,
          },
          encoding: 'utf8',
          timeout: 300_000,
        });
        if (result.status !== 0) {
          throw new Error(
            `${dockerfile} stage ${stage.name}: RUN ${args} failed (${result.status}):\n${result.stdout}\n${result.stderr}`,
          );
        }
        break;
      }
      case 'USER':
        stage.user = args;
        break;
      case 'EXPOSE':
        stage.expose.push(...args.split(/\s+/));
        break;
      case 'HEALTHCHECK': {
        const at = args.indexOf('CMD ');
        if (at < 0) throw new Error(`HEALTHCHECK ${args}: needs CMD`);
        stage.healthcheck = execForm('HEALTHCHECK CMD', args.slice(at + 4).trim());
        break;
      }
      case 'CMD':
        stage.cmd = execForm('CMD', args);
        break;
      default:
        throw new Error(
          `${dockerfile}: this test does not handle ${instruction}; teach it or use another instruction`,
        );
    }
  }
  const final = stages[stages.length - 1];
  if (!final) throw new Error(`${dockerfile}: no FROM`);
  return { stages, final, app: join(final.root, final.workdir) };
}

/** Every file under a folder, relative to it (symlinks listed, not followed). */
function files(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? files(join(dir, entry.name), rel) : [rel];
  });
}

/** Runs an exec-form command of the image (its `node` is this machine's) in the image's WORKDIR. */
function startFromImage(
  name: string,
  image: Image,
  argv: string[],
  env: Record<string, string>,
): ChildProcess {
  const [command, ...args] = argv;
  if (command !== 'node') throw new Error(`${name}: expected a node command, got ${command}`);
  return spawn(process.execPath, args, {
    cwd: image.app,
    env: { PATH: process.env.PATH ?? '', ...image.final.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Build tools and the ui's own packages: none belongs in a runtime image. */
const buildOnly = [
  'vite',
  'esbuild',
  'typescript',
  'vitest',
  '@biomejs',
  'playwright-core',
  'solid-js',
  'tsx',
  'rolldown',
];

describe('Dockerfiles, built without Docker', () => {
  const images: Record<'dashboard' | 'agent', Image | undefined> = { dashboard: undefined, agent: undefined };
  const programs: Program[] = [];
  const secret = newSecret();
  let dashboardPort = 0;

  beforeAll(() => {
    images.dashboard = build('Dockerfile.dashboard', 'dashboard');
    images.agent = build('Dockerfile.agent', 'agent');
  }, 900_000);

  afterAll(async () => {
    await Promise.all(programs.map((p) => p.stop('SIGKILL')));
    for (const root of stageRoots) rmSync(root, { recursive: true, force: true });
  });

  it.each(['dashboard', 'agent'] as const)(
    '%s: multi-stage on Node 24 LTS, a slim runtime stage, npm ci --omit=dev, no RUN in the runtime stage',
    (name) => {
      const image = images[name] as Image;
      expect(image.stages.length).toBeGreaterThanOrEqual(2);
      // Earlier stages may be the full image (the dashboard's deps stage compiles better-sqlite3 where no prebuilt
      // binary is had).
      for (const stage of image.stages) expect(stage.image).toMatch(/^node:24-bookworm(-slim)?$/);
      expect(image.final.image).toBe('node:24-bookworm-slim');
      const runs = image.stages.flatMap((s) => s.runs);
      expect(runs).toContainEqual(expect.stringContaining(`npm ci --omit=dev --workspace @sss/${name}`));
      expect(image.final.runs).toEqual([]);
      expect(image.final.env.NODE_ENV).toBe('production');
      // The agent trades V8's optimizing compilers for memory (README "Agent footprint").
      const flag = name === 'agent' ? '--lite-mode' : '--enable-source-maps';
      expect(image.final.cmd).toEqual(['node', flag, `${name}/dist/main.js`]);
      expect(image.final.healthcheck?.slice(0, 2)).toEqual(['node', '-e']);
      expect(image.final.user).toBe('65532:65532');
      expect(image.final.expose).toEqual([name === 'dashboard' ? '8900' : '8901']);
    },
  );

  it.each(['dashboard', 'agent'] as const)('%s: the runtime stage holds runtime files only', (name) => {
    const image = images[name] as Image;
    const all = files(image.app);
    const own = all.filter((f) => !f.startsWith('node_modules/'));
    const expected = [`${name}/package.json`, `${name}/dist/main.js`, `${name}/dist/main.js.map`];
    if (name === 'dashboard') expect(own.filter((f) => f.startsWith('ui/dist/')).length).toBeGreaterThan(1);
    expect(own.filter((f) => !f.startsWith('ui/dist/')).sort()).toEqual(expected.sort());
    // Scoped packages sit one folder deeper: @kubernetes/client-node.
    const packages = readdirSync(join(image.app, 'node_modules')).flatMap((entry) =>
      entry.startsWith('@')
        ? readdirSync(join(image.app, 'node_modules', entry)).map((inner) => `${entry}/${inner}`)
        : [entry],
    );
    const holds = (name: string) => packages.some((p) => p === name || p.startsWith(`${name}/`));
    for (const pkg of [...buildOnly, '@sss'])
      expect(holds(pkg), `${pkg} is not needed at run time`).toBe(false);
    const dependencies = Object.keys(
      JSON.parse(readFileSync(join(repoRoot, name, 'package.json'), 'utf8')).dependencies as Record<
        string,
        string
      >,
    );
    for (const dependency of dependencies) expect(packages).toContain(dependency);
  });

  it('dashboard: starts from its image, serves the ui and passes its HEALTHCHECK', async () => {
    const image = images.dashboard as Image;
    // Port 0: the dashboard binds one the system picks and logs it.
    const child = startFromImage('dashboard', image, image.final.cmd ?? [], {
      SSS_HOST: '127.0.0.1',
      SSS_PORT: '0',
      SSS_AUTH_SECRET: secret,
      SSS_LOG_LEVEL: 'debug',
    });
    const dashboard = new Program('dashboard (image)', child);
    programs.push(dashboard);
    dashboardPort = Number((await dashboard.waitForLog((l) => l.msg === 'listening', 20_000)).port);
    const base = `http://127.0.0.1:${dashboardPort}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const script = html.match(/src="\.?\/?(assets\/[^"]+\.js)"/)?.[1];
    expect(script, html).toBeDefined();
    const asset = await fetch(`${base}/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    const check = startFromImage('healthcheck', image, image.final.healthcheck ?? [], {
      SSS_PORT: String(dashboardPort),
    });
    expect(await exitCode(check)).toBe(0);
  });

  it('agent: starts from its image, reports this machine to the dashboard image and passes its HEALTHCHECK', async () => {
    const image = images.agent as Image;
    expect(dashboardPort, 'the dashboard test runs first').toBeGreaterThan(0);
    // The HEALTHCHECK needs the health port, which the agent does not log when it picks one: it gets one found
    // free, and another if a process took that one first ('agent starting' comes once it listens).
    const { agent, healthPort } = await startOnFreePort(async (healthPort) => {
      const child = startFromImage('agent', image, image.final.cmd ?? [], {
        SSS_DASHBOARD_URL: `ws://127.0.0.1:${dashboardPort}/ws-report`,
        SSS_AUTH_SECRET: secret,
        SSS_SERVER_ID: 'docker-build-test',
        SSS_INTERVAL: '1',
        SSS_HEALTH_HOST: '127.0.0.1',
        SSS_HEALTH_PORT: String(healthPort),
        SSS_LOG_LEVEL: 'debug',
      });
      const agent = new Program('agent (image)', child);
      programs.push(agent);
      await upOnPort(agent, (l) => l.msg === 'agent starting');
      return { agent, healthPort };
    });
    const deadline = Date.now() + 20_000;
    let servers: { serverId: string; online: boolean; cpu: { cores: number }; memory: { total: number } }[] =
      [];
    while (Date.now() < deadline) {
      servers = (await (
        await fetch(`http://127.0.0.1:${dashboardPort}/api/servers`)
      ).json()) as typeof servers;
      if (servers.some((s) => s.serverId === 'docker-build-test')) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const reported = servers.find((s) => s.serverId === 'docker-build-test');
    expect(reported, agent.output()).toBeDefined();
    expect(reported?.online).toBe(true);
    expect(reported?.cpu.cores).toBeGreaterThan(0);
    expect(reported?.memory.total).toBeGreaterThan(0);
    const check = startFromImage('healthcheck', image, image.final.healthcheck ?? [], {
      SSS_HEALTH_PORT: String(healthPort),
    });
    expect(await exitCode(check)).toBe(0);
  });
});
