import pino, { type Logger, type LoggerOptions } from 'pino';
import { currentLogContext, type LogContext } from './logContext';
import { serializeErrors } from './logErrors';

/**
 * Paths pino blanks before a line is written. Secrets (API keys, tokens, credentials, passwords,
 * webhook secrets) never reach a log, whatever object they arrive in.
 */
export const redactedPaths: string[] = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.secret',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.apiKey',
  '*.key',
  '*.keyHash',
  '*.credentials',
  '*.clientSecret',
  '*.privateKeyPem',
  '*.secretKey',
  '*.bearerToken',
  // OAuth wire fields and vault columns (connector runtimes and token endpoints)
  '*.access_token',
  '*.refresh_token',
  '*.client_secret',
  '*.assertion',
  '*.credentials_ciphertext',
  '*.wrapped_key',
  // webhook signing secrets (whsec_…) and their vault column
  '*.signingSecret',
  '*.secret_ciphertext',
];

/**
 * Creates the process logger. `name` tells which process wrote a line (api, worker, stack, cli).
 * Lines carry the current {@link LogContext} (request or activity) automatically.
 */
export function createLogger(options: { name: string; level: string; pretty?: boolean; destination?: NodeJS.WritableStream }): Logger {
  const base: LoggerOptions = {
    name: options.name,
    level: options.level,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    // An Error under any key besides `err` (pino's own serializer), e.g. the Temporal SDK's
    // `{ error }` meta, keeps its message, type, stack and cause.
    formatters: { log: (fields) => serializeErrors(fields) },
    // requestId / tenantId / workflowId / runId / activityType of the request or activity being served
    mixin: () => currentLogContext() as Record<string, unknown>,
  };
  return options.destination ? pino(base, options.destination as pino.DestinationStream) : pino(base);
}

export type { Logger, LogContext };
