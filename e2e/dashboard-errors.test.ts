// Issue 13, acceptance 5: an error answer names the status in its label and never a file-system path. Requests
// go out byte for byte (node:http, not fetch, which would resolve the dot segments of a traversal).
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/paths';
import { type Dashboard, startDashboard, stopAll } from './support/processes';

interface Answer {
  status: number;
  type: string;
  body: string;
}

function send(
  port: number,
  path: string,
  method = 'GET',
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', body }),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 5 s`)));
    req.on('error', reject);
    req.end();
  });
}

/** Text that reveals where the dashboard's files are. */
function leaksAPath(text: string, dirs: string[]): boolean {
  return /ENOENT|EACCES|EISDIR|stat '|\/node_modules\//.test(text) || dirs.some((d) => text.includes(d));
}

describe('dashboard error answers', () => {
  let dashboard: Dashboard;
  beforeAll(async () => {
    dashboard = await startDashboard();
  });
  afterAll(stopAll);

  it.each<[string, string, number, string, Record<string, string>?]>([
    ['a missing asset', '/assets/no-such-file.js', 404, 'not_found'],
    ['the assets folder itself', '/assets/', 404, 'not_found'],
    ['a dot file among the assets', '/assets/.env', 404, 'not_found'],
    ['a traversal out of the assets', '/assets/../../package.json', 403, 'forbidden'],
    ['an encoded traversal', '/assets/..%2f..%2fpackage.json', 403, 'forbidden'],
    ['a traversal of encoded dots', '/assets/%2e%2e/index.html', 403, 'forbidden'],
    ['a NUL byte in an asset path', '/assets/x%00y.js', 400, 'bad_request'],
    ['broken percent-encoding', '/%E0%A4%A', 400, 'bad_request'],
    ['broken percent-encoding in an id', '/api/servers/%E0%A4%A', 400, 'bad_request'],
    [
      'a range past the end of a file',
      '/index.html',
      416,
      'range_not_satisfiable',
      { Range: 'bytes=999999-' },
    ],
    ['a POST to the page', '/', 404, 'not_found'],
    ['a server nobody knows', '/api/servers/nobody', 404, 'not_found'],
    ['a bad history limit', '/api/servers/nobody/history?limit=x', 404, 'not_found'],
  ])(
    'answers %s with JSON labelled for its status and no path',
    async (_name, path, status, label, headers) => {
      const answer = await send(dashboard.port, path, path === '/' ? 'POST' : 'GET', headers);
      expect(answer.status).toBe(status);
      expect(answer.type).toMatch(/^application\/json/);
      const body = JSON.parse(answer.body) as { error: string; message: string };
      expect(body.error).toBe(label);
      expect(typeof body.message).toBe('string');
      expect(leaksAPath(answer.body, [repoRoot, join(repoRoot, 'ui/dist')])).toBe(false);
    },
  );

  it('answers a method the assets do not take with 405', async () => {
    const answer = await send(dashboard.port, '/assets/no-such-file.js', 'PUT');
    expect(answer.status).toBe(405);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'method_not_allowed' });
  });

  it('says the ui is not built without naming its folder', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'sss-no-ui-'));
    try {
      const bare = await startDashboard({ SSS_UI_DIR: empty });
      const answer = await send(bare.port, '/');
      expect(answer.status).toBe(503);
      expect(answer.body).toContain('not built');
      expect(leaksAPath(answer.body, [empty, repoRoot])).toBe(false);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
