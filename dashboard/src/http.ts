import { existsSync } from 'node:fs';
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import { join } from 'node:path';
import { ALERT_SEVERITIES, ALERT_STATES, FRONTEND_TOKEN_PARAM, Headers, Paths } from '@sss/protocol';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import {
  ADMIN_KEY,
  type Authenticator,
  type FailureLimiter,
  secretsEqual,
  tooManyFailures,
} from './access/auth';
import type { AlertEvaluator } from './alerts/evaluator';
import { listAlerts, parseAlertWindow } from './alerts/history';
import type { Hub } from './hub/hub';
import type { Metrics } from './metrics/metrics';
import {
  HistoryParamError,
  type HistoryRequest,
  type HistorySources,
  historyWindow,
  parseHistoryQuery,
} from './store/history-query';

export interface HttpOptions {
  hub: Hub;
  metrics: Metrics;
  alerts: AlertEvaluator;
  auth: Authenticator;
  intervalSeconds: number;
  /** Where history windows (?range=, ?from=&to=) come from. */
  history: HistorySources;
  /** Browsers must present it (?token= or Authorization: Bearer) on /api and /ws-frontend. */
  frontendToken: string | undefined;
  /** When it returns a token, /metrics needs Authorization: Bearer with it. */
  metricsToken: () => string | undefined;
  /** Failed admin requests count here like failed logins, per client address. */
  limiter: FailureLimiter;
  clientAddress: (req: IncomingMessage) => string;
  uiDir: string;
  isReady: () => boolean;
  log: Logger;
}

/** Every asset is bundled (no inline script or style, no data: URI), so the page may use its own origin only. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "style-src 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');
const EMPTY = Buffer.from('[]');

/** The `error` of an answer: its status in words, `not_found` for 404 (`internal_error` for 500, as always). */
function errorLabel(status: number): string {
  if (status === 500) return 'internal_error';
  return (STATUS_CODES[status] ?? 'error').toLowerCase().replace(/[^a-z]+/g, '_');
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Resolves when the response can take more, or is gone. */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** A filter given as `?name=a,b` or `?name=a&name=b`; undefined when absent. Values outside `valid` answer 400. */
function listParam(req: Request, name: string, valid?: readonly string[]): string[] | undefined {
  const raw = req.query[name];
  if (raw === undefined) return undefined;
  const values = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => String(v).split(',')).filter(Boolean);
  for (const value of values) {
    if (valid && !valid.includes(value)) {
      throw new HttpError(400, 'bad_request', `${name} must be one of ${valid.join(', ')}, got "${value}"`);
    }
  }
  return values;
}

/** The token a browser presented, from the query or an Authorization header. */
export function presentedToken(url: URL, authorization: string | undefined): string | undefined {
  const fromQuery = url.searchParams.get(FRONTEND_TOKEN_PARAM);
  if (fromQuery) return fromQuery;
  return authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : undefined;
}

export function createApp(options: HttpOptions): express.Express {
  const { hub, metrics, auth, log } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });

  app.get(Paths.healthz, (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get(Paths.readyz, (_req, res) => {
    if (options.isReady()) res.json({ status: 'ready' });
    else res.status(503).json({ status: 'shutting down' });
  });
  app.get(Paths.metrics, async (req, res, next) => {
    const token = options.metricsToken();
    const given = req.headers.authorization;
    if (token !== undefined && !(given?.startsWith('Bearer ') && secretsEqual(given.slice(7), token))) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      next(new HttpError(401, 'unauthorized', '/metrics needs Authorization: Bearer <SSS_METRICS_TOKEN>'));
      return;
    }
    try {
      res.type(metrics.registry.contentType);
      for await (const chunk of metrics.exposition()) {
        if (!res.write(chunk)) await drained(res);
        if (res.destroyed) return; // Prometheus gave up (scrape timeout); stop building the rest
      }
      res.end();
    } catch (err) {
      next(err);
    }
  });

  const api = express.Router();
  api.use((req, _res, next) => {
    const token = options.frontendToken;
    if (token === undefined) return next();
    const given = presentedToken(new URL(req.originalUrl, 'http://x'), req.headers.authorization);
    if (given !== undefined && secretsEqual(given, token)) return next();
    next(new HttpError(401, 'unauthorized', 'a valid token is required (?token= or Authorization: Bearer)'));
  });
  const known = (req: Request) => {
    const state = hub.get(String(req.params.id));
    if (!state) throw new HttpError(404, 'not_found', `server "${String(req.params.id)}" is not known`);
    return state;
  };
  // Each server's message is serialised once per change (for the frontends); REST sends those same bytes.
  api.get('/servers', (_req, res) => {
    const parts: Buffer[] = [];
    for (const state of hub.list()) parts.push(parts.length === 0 ? OPEN : COMMA, state.message);
    res
      .type('application/json; charset=utf-8')
      .send(Buffer.concat(parts.length === 0 ? [EMPTY] : [...parts, CLOSE]));
  });
  api.get('/servers/:id', (req, res) => {
    res.type('application/json; charset=utf-8').send(known(req).message);
  });
  api.get('/servers/:id/history', (req, res) => {
    const state = known(req);
    const nowS = options.history.now() / 1000;
    let request: HistoryRequest;
    try {
      request = parseHistoryQuery(req.query, nowS);
    } catch (err) {
      if (err instanceof HistoryParamError) throw new HttpError(400, 'bad_request', err.message);
      throw err;
    }
    res.json(
      'limit' in request
        ? state.history.toJSON(state.id, options.intervalSeconds, request.limit)
        : historyWindow(state, request.from, request.to, nowS, options.history),
    );
  });
  api.delete('/servers/:id', (req, res) => {
    const address = options.clientAddress(req);
    const blocked = options.limiter.blocked(address, ADMIN_KEY);
    if (blocked) {
      metrics.rateLimited.inc();
      res.setHeader('Retry-After', String(blocked.retryAfter));
      res.status(429).type('application/json').send(tooManyFailures(blocked));
      return;
    }
    if (!auth.checkShared(req.get(Headers.authSecret))) {
      options.limiter.fail(address, ADMIN_KEY);
      metrics.authFailures.inc();
      log.warn(
        { address, serverId: String(req.params.id).slice(0, 253) },
        'server removal refused: wrong secret',
      );
      throw new HttpError(403, 'forbidden', 'removing a server needs the shared secret in X-AUTH-SECRET');
    }
    const state = known(req);
    if (state.node) {
      throw new HttpError(
        409,
        'conflict',
        `server "${state.id}" is a Kubernetes Node; it goes when the Node is deleted`,
      );
    }
    hub.remove(state.id);
    log.info({ serverId: state.id }, 'server removed');
    res.status(204).end();
  });
  api.get('/alerts', (req, res) => {
    const filters = {
      state: listParam(req, 'state', ALERT_STATES),
      severity: listParam(req, 'severity', ALERT_SEVERITIES),
      server: listParam(req, 'server'),
    };
    let window: ReturnType<typeof parseAlertWindow>;
    try {
      window = parseAlertWindow(req.query, options.history.now());
    } catch (err) {
      if (err instanceof HistoryParamError) throw new HttpError(400, 'bad_request', err.message);
      throw err;
    }
    res.json(listAlerts(options.alerts, options.history.store, { ...filters, ...window }));
  });
  api.all('/alerts', (req) => {
    throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed here; use GET`);
  });
  api.all('/servers', (req) => {
    throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed here; use GET`);
  });
  api.all('/servers/:id', (req) => {
    throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed here; use GET or DELETE`);
  });
  api.all('/servers/:id/history', (req) => {
    throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed here; use GET`);
  });
  api.use((req) => {
    throw new HttpError(404, 'not_found', `no API at ${req.method} ${req.originalUrl}`);
  });
  app.use('/api', api);

  const index = join(options.uiDir, 'index.html');
  if (existsSync(index)) {
    app.use((_req, res, next) => {
      res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
      next();
    });
    app.all('/assets/{*path}', (req, _res, next) => {
      if (req.method === 'GET' || req.method === 'HEAD') return next();
      next(new HttpError(405, 'method_not_allowed', `${req.method} is not allowed here; use GET`));
    });
    app.use(
      '/assets',
      express.static(join(options.uiDir, 'assets'), { immutable: true, maxAge: '1y', fallthrough: false }),
    );
    app.use(express.static(options.uiDir, { index: false, maxAge: '1h' }));
    // The ui routes on the client: any other GET gets the page.
    app.get('/{*path}', (_req, res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(index);
    });
  } else {
    log.warn({ uiDir: options.uiDir }, 'ui not built; / answers 503 (run npm run build)');
    app.get('/', (_req, res) => {
      res.status(503).type('text').send('The ui is not built. Run npm run build.\n');
    });
  }

  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new HttpError(404, 'not_found', `nothing at ${req.method} ${req.path}`));
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof HttpError) {
      res.status(err.status).json({ error: err.code, message: err.message });
      return;
    }
    // Errors of express and of its static files carry internals such as the file's absolute path: only the
    // status goes out, with the request's own method and path.
    const given = (err as { status?: unknown }).status;
    const status = typeof given === 'number' && given >= 400 && given < 600 ? given : 500;
    if (status >= 500) log.error({ err }, 'request failed');
    const message =
      status === 404
        ? `nothing at ${req.method} ${req.path}`
        : `${STATUS_CODES[status]}: ${req.method} ${req.path}`;
    // A static file's error comes after its headers were set (Content-Type of the file): JSON it is.
    res
      .status(status)
      .type('application/json')
      .json({ error: errorLabel(status), message });
  });
  return app;
}
