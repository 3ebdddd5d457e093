// The dashboard's REST API and WebSocket address, relative to the page so that the ui also works under a path
// prefix. A `?token=` on the page's address is passed on (the dashboard may require SSS_FRONTEND_TOKEN).

import {
  type AlertRecord,
  type AlertState,
  FRONTEND_TOKEN_PARAM,
  type FrontendServerInfo,
  type HistoryRange,
  Paths,
  type ServerHistory,
} from '@sss/protocol';

const token = new URLSearchParams(location.search).get(FRONTEND_TOKEN_PARAM);

/** Whether the page's address carries a token (so a 401 means a wrong one, not a missing one). */
export const hasToken = token !== null && token !== '';

/** An answer other than 2xx; the dashboard sends {error, message}. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function address(path: string, params: Record<string, string | number> = {}): URL {
  // Paths are absolute in the protocol ("/api/servers"); resolve them against the page's folder instead.
  const url = new URL(path.replace(/^\//, ''), document.baseURI);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, String(value));
  if (token) url.searchParams.set(FRONTEND_TOKEN_PARAM, token);
  return url;
}

export function frontendSocketUrl(): string {
  const url = address(Paths.frontend);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

/** Throws the dashboard's refusal (`{error, message}`) as an ApiError. */
async function ensureOk(response: Response): Promise<void> {
  if (!response.ok) {
    let text = `${response.status} ${response.statusText}`;
    try {
      const body = (await response.json()) as { message?: string };
      if (body.message) text = body.message;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(response.status, text);
  }
}

async function getJson<T>(url: URL, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url, { signal, headers: { accept: 'application/json' } });
  await ensureOk(response);
  return (await response.json()) as T;
}

/** Forgets a server (DELETE /api/servers/:id); the dashboard asks for the shared secret as X-AUTH-SECRET. */
export async function removeServer(id: string, secret: string): Promise<void> {
  const response = await fetch(address(`${Paths.servers}/${encodeURIComponent(id)}`), {
    method: 'DELETE',
    headers: { accept: 'application/json', 'X-AUTH-SECRET': secret },
  });
  await ensureOk(response);
}

export function fetchServers(signal?: AbortSignal): Promise<FrontendServerInfo[]> {
  return getJson(address(Paths.servers), signal);
}

export function fetchServer(id: string, signal?: AbortSignal): Promise<FrontendServerInfo> {
  return getJson(address(`${Paths.servers}/${encodeURIComponent(id)}`), signal);
}

export function fetchHistory(id: string, limit: number, signal?: AbortSignal): Promise<ServerHistory> {
  return getJson(address(`${Paths.servers}/${encodeURIComponent(id)}/history`, { limit }), signal);
}

/** The history of a range ending now, from the tier the dashboard picks for it (with step, from/to and maxima). */
export function fetchHistoryRange(
  id: string,
  range: HistoryRange,
  signal?: AbortSignal,
): Promise<ServerHistory> {
  return getJson(address(`${Paths.servers}/${encodeURIComponent(id)}/history`, { range }), signal);
}

/** Alerts in this state; resolved ones the newest `limit` the dashboard keeps (the last hour without `limit`). */
export function fetchAlerts(state: AlertState, limit?: number, signal?: AbortSignal): Promise<AlertRecord[]> {
  return getJson(address(Paths.alerts, limit === undefined ? { state } : { state, limit }), signal);
}
