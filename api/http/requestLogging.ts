import { type RequestHandler } from 'express';
import { randomUUID } from 'node:crypto';
import { type Logger } from 'pino';
import { redactApiKeys } from '../../platform/apiKeys';

declare module 'http' {
  interface IncomingMessage {
    /** The request id (`X-Request-Id`): the caller's when well-formed, else a new UUID. */
    id: string;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** Probed every few seconds by orchestrators and Prometheus: not worth a line each. */
const UNLOGGED_PATHS = new Set(['/healthz', '/metrics']);

/**
 * Request ids and one log line per request (`request completed`, or `request errored` for 5xx), at
 * info (2xx/3xx), warn (4xx) or error (5xx). The line is built only when the logger would write it,
 * so at LOG_LEVEL=warn a successful request costs an id and two listeners — no per-request child
 * loggers (pino-http built two per request whatever the level: about 11% of the API's CPU). The
 * line carries what ops need and never headers (so never credentials); a key pasted into the URL
 * is blanked. Lines logged while a route runs get requestId/tenantId from the log context.
 *
 * The line is written through a child logger without pino's redaction pass: its fields are built
 * here from fixed, secret-free values, and walking the ~30 redaction paths for every request cost
 * about 6% of the API's CPU at LOG_LEVEL=info. Every other line keeps the redaction.
 */
export function requestLogging(logger: Logger): RequestHandler {
  const accessLog = logger.child({}, { redact: [] });
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    if (UNLOGGED_PATHS.has(req.path)) {
      next();
      return;
    }
    const startedAt = performance.now();
    const { method, originalUrl } = req;
    const onEnd = () => {
      res.removeListener('finish', onEnd);
      res.removeListener('close', onEnd);
      const status = res.statusCode;
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      if (!accessLog.isLevelEnabled(level)) return;
      const principal = res.locals.principal as { kind?: string; tenantId?: string; keyId?: string } | undefined;
      accessLog[level](
        {
          req: { id, method, url: redactApiKeys(originalUrl) },
          res: { statusCode: status },
          responseTime: Math.round(performance.now() - startedAt),
          requestId: id,
          ...(principal?.kind === 'tenant' ? { tenantId: principal.tenantId, apiKeyId: principal.keyId } : {}),
          ...(res.writableFinished ? {} : { aborted: true }),
        },
        status >= 500 ? 'request errored' : 'request completed',
      );
    };
    res.on('finish', onEnd);
    res.on('close', onEnd);
    next();
  };
}
