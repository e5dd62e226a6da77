import { type ErrorRequestHandler, type RequestHandler } from 'express';
import { z } from 'zod';
import { redactApiKeys } from '../platform/apiKeys';
import { type Logger } from '../platform/logger';
import { isDatabaseUnavailable } from '../platform/sql/databaseUnavailable';
import { isTemporalUnavailable } from '../platform/temporal/temporalUnavailable';

/** Seconds a client is asked to wait (Retry-After) when the database or Temporal is unreachable. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** One entry of `error.details`: where the problem is and what it is. */
export interface ErrorDetail {
  path?: string;
  message: string;
  [extra: string]: unknown;
}

/** The error body of every non-2xx answer (API.md): `{ error: { code, message, details? } }`. */
export const errorResponseSchema = z.object({
  error: z.object({
    code: z.string().describe('SNAKE_CASE error code'),
    message: z.string(),
    details: z.array(z.looseObject({ path: z.string().optional(), message: z.string() })).optional(),
    requestId: z.string().optional(),
  }),
});

/** An error with an HTTP status and a stable code; handlers throw it, the error handler renders it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const errors = {
  badRequest: (code: string, message: string, details?: ErrorDetail[]) => new ApiError(400, code, message, details),
  validation: (details: ErrorDetail[]) =>
    new ApiError(
      400,
      'VALIDATION_FAILED',
      details.length === 1 ? `${details[0]!.path ?? 'request'}: ${details[0]!.message}` : 'The request is invalid',
      details,
    ),
  unauthenticated: (message = 'A valid API key is required') => new ApiError(401, 'UNAUTHENTICATED', message),
  forbidden: (message = 'Your role does not allow this') => new ApiError(403, 'FORBIDDEN', message),
  methodNotAllowed: (method: string, allow: string) =>
    new ApiError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed here; allowed: ${allow}`, undefined, { Allow: allow }),
  notFound: (what = 'Resource') => new ApiError(404, 'NOT_FOUND', `${what} not found`),
  conflict: (code: string, message: string) => new ApiError(409, code, message),
  unavailable: (code: string, message: string, details?: ErrorDetail[]) => new ApiError(503, code, message, details),
  /** 503 while Postgres is unreachable or restarting: nothing was done, the same request may be retried. */
  databaseUnavailable: () =>
    new ApiError(503, 'DATABASE_UNAVAILABLE', 'The database is unavailable; retry after a few seconds', undefined, {
      'Retry-After': String(UNAVAILABLE_RETRY_AFTER_SECONDS),
    }),
  /** 503 while Temporal is unreachable: no workflow was started (a job recorded for it is marked failed). */
  workflowEngineUnavailable: () =>
    new ApiError(503, 'WORKFLOW_ENGINE_UNAVAILABLE', 'The workflow engine is unavailable; retry after a few seconds', undefined, {
      'Retry-After': String(UNAVAILABLE_RETRY_AFTER_SECONDS),
    }),
};

/** Converts zod issues into error details whose `path` names the offending field. */
export function zodDetails(error: z.ZodError, location: string): ErrorDetail[] {
  return error.issues.map((issue) => {
    const path = [location, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      return { path, message: `unknown field(s): ${issue.keys.join(', ')}`, code: issue.code };
    }
    return { path, message: issue.message, code: issue.code };
  });
}

/** 404 in the error shape for any path no route matched. */
export function notFoundHandler(): RequestHandler {
  return (req, _res, next) => next(new ApiError(404, 'NOT_FOUND', `No route for ${req.method} ${redactApiKeys(req.path)}`));
}

/** The SCIM error schema (RFC 7644 §3.12); /scim/v2 answers errors in it, as application/scim+json. */
export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** The SCIM `scimType` of an error: the one a SCIM handler chose, else what the API's code means in SCIM's words. */
function scimTypeOf(error: ApiError): string | undefined {
  const chosen = (error as ApiError & { scimType?: string }).scimType;
  if (chosen) return chosen;
  if (error.code === 'INVALID_JSON') return 'invalidSyntax';
  if (error.code === 'VALIDATION_FAILED') return 'invalidValue';
  if (error.code === 'PAYLOAD_TOO_LARGE') return 'tooMany';
  return undefined;
}

/**
 * Renders every error in the API's shape (under /scim/v2 in SCIM's: identity providers read
 * `detail` and `scimType`). Body-parser failures become 400/413/415; an unreachable
 * or restarting database 503 DATABASE_UNAVAILABLE and an unreachable Temporal 503
 * WORKFLOW_ENGINE_UNAVAILABLE (both with Retry-After); anything else unexpected is logged with the
 * request id and answered 500 without internals.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const requestId = String(req.id ?? '');
    const apiError = toApiError(error);
    if (apiError.status === 503 && !(error instanceof ApiError)) {
      logger.warn({ err: error, requestId, code: apiError.code }, 'request refused: a dependency is unavailable');
    } else if (apiError.status >= 500) {
      logger.error({ err: error, requestId }, 'request failed');
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    for (const [name, value] of Object.entries(apiError.headers ?? {})) res.setHeader(name, value);
    if (req.path.startsWith('/scim/')) {
      const scimType = scimTypeOf(apiError);
      res
        .status(apiError.status)
        .type('application/scim+json')
        .json({ schemas: [SCIM_ERROR_SCHEMA], status: String(apiError.status), ...(scimType ? { scimType } : {}), detail: apiError.message });
      return;
    }
    res.status(apiError.status).json({
      error: {
        code: apiError.code,
        message: apiError.message,
        ...(apiError.details ? { details: apiError.details } : {}),
        ...(requestId ? { requestId } : {}),
      },
    });
  };
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const bodyError = error as { type?: string; status?: number; limit?: number };
  switch (bodyError?.type) {
    case 'entity.too.large':
      return new ApiError(413, 'PAYLOAD_TOO_LARGE', `The request body exceeds the limit of ${bodyError.limit} bytes`);
    case 'entity.parse.failed':
      return new ApiError(400, 'INVALID_JSON', 'The request body is not valid JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'The request body encoding is not supported');
    default:
      break;
  }
  if (typeof bodyError?.status === 'number' && bodyError.status >= 400 && bodyError.status < 500) {
    return new ApiError(bodyError.status, 'BAD_REQUEST', 'The request could not be processed');
  }
  // Outages of a dependency are the caller's to retry, not an internal error.
  if (isDatabaseUnavailable(error)) return errors.databaseUnavailable();
  if (isTemporalUnavailable(error)) return errors.workflowEngineUnavailable();
  return new ApiError(500, 'INTERNAL', 'An unexpected error occurred');
}
