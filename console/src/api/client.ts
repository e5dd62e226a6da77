import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

/** The error body every /v1 route answers with (docs/errors.md). */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown; requestId?: string };
}

/** A refused or failed API call, carrying the API's error code and message for the screen to show. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const CSRF_COOKIE = 'hub_csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const PROBES = new Set(['/v1/auth/sign-in', '/v1/auth/session']);

/** The session's CSRF token: the API sets it as a readable cookie next to the HttpOnly session cookie. */
export function csrfToken(): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === CSRF_COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

type SessionEndedListener = (code: string) => void;
const sessionEndedListeners = new Set<SessionEndedListener>();

/** Called when any call answers 401: the session is gone (signed out elsewhere, idle, expired). */
export function onSessionEnded(listener: SessionEndedListener): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

const sessionMiddleware: Middleware = {
  onRequest({ request }) {
    if (!SAFE_METHODS.has(request.method)) {
      const token = csrfToken();
      // A call that brings its own token (the operator's session) keeps it.
      if (token && !request.headers.has('X-CSRF-Token')) request.headers.set('X-CSRF-Token', token);
    }
    return request;
  },
  async onResponse({ request, response }) {
    // The sign-in and session probes answer 401 as a normal outcome; anything else means the session ended.
    const probing = PROBES.has(new URL(request.url).pathname);
    if (response.status === 401 && !probing) {
      const body = (await response
        .clone()
        .json()
        .catch(() => undefined)) as ApiErrorBody | undefined;
      for (const listener of sessionEndedListeners) listener(body?.error.code ?? 'UNAUTHENTICATED');
    }
    return response;
  },
};

/** The console's only way to the hub: the public /v1 API, typed by the schema generated from /openapi.json. */
export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(sessionMiddleware);

/**
 * The data of an openapi-fetch result, or an ApiError with the API's code and message: lets
 * TanStack Query's `queryFn`/`mutationFn` treat refusals as errors.
 */
export async function unwrap<Data>(call: Promise<{ data?: Data; error?: unknown; response: Response }>): Promise<Data> {
  const { data, error, response } = await call;
  if (response.ok) return data as Data;
  const body = error as Partial<ApiErrorBody> | undefined;
  throw new ApiError(response.status, body?.error?.code ?? `HTTP_${response.status}`, body?.error?.message ?? response.statusText, body?.error?.details);
}

/** A message for a failed call, for a notification or an inline alert. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.code})`;
  return error instanceof Error ? error.message : String(error);
}
