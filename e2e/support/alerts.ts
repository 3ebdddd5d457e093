import type { AlertRecord, ServerInfo } from '@sss/protocol';
import { seedExample } from '@sss/protocol/fixtures';
import { expect } from 'vitest';

/** GET /api/alerts with `query` (e.g. `?state=firing`) of a dashboard. */
export async function alertsOf(dashboard: { url: string }, query = ''): Promise<AlertRecord[]> {
  const res = await fetch(`${dashboard.url}/api/alerts${query}`, { signal: AbortSignal.timeout(5_000) });
  expect(res.status).toBe(200);
  return (await res.json()) as AlertRecord[];
}

/** The seed's example report of server `id` with its CPU at `percent`, for threshold rules. */
export function withCpu(id: string, percent: number): ServerInfo {
  return { ...seedExample(), serverId: id, serverName: id, cpu: { ...seedExample().cpu, percent } };
}
