import { AuthError, errorForHttpStatus } from '../errors';
import { classifyTransportError } from '../transportErrors';

/** What fhir-kit-client throws for a non-2xx answer: `response.status`/`data`, the Response headers in `config.headers`. */
interface FhirKitFailure {
  response?: { status?: number; data?: unknown };
  config?: { headers?: { get?(name: string): string | null } };
}

/** Status of a fhir-kit-client failure, when it was an HTTP answer. */
export function failureStatus(error: unknown): number | undefined {
  return (error as FhirKitFailure)?.response?.status;
}

export function failureHeader(error: unknown, name: string): string | null {
  return (error as FhirKitFailure)?.config?.headers?.get?.(name) ?? null;
}

/** The first issue of an OperationOutcome (`diagnostics` or `details.text`), if the body is one. */
export function outcomeText(data: unknown): string {
  const issue = (data as { issue?: Array<{ diagnostics?: string; details?: { text?: string }; code?: string }> } | undefined)?.issue?.[0];
  return issue ? [issue.code, issue.details?.text ?? issue.diagnostics].filter(Boolean).join(': ') : '';
}

/** Classifies a fhir-kit-client or fetch failure: 401/403 AuthError, 429 RateLimitError (Retry-After), 5xx transient, other 4xx config. */
export function classifyFhirError(error: unknown, what: string): unknown {
  const status = failureStatus(error);
  if (status === undefined) return classifyTransportError(error, what);
  const data = (error as FhirKitFailure).response?.data;
  return errorForHttpStatus(status, `${what}: HTTP ${status} ${outcomeText(data)}`.trim(), failureHeader(error, 'retry-after'));
}

/** OAuth token endpoint errors: `invalid_client`/`invalid_grant`/`unauthorized_client` mean the registration or key is wrong. */
export function tokenEndpointError(status: number, body: { error?: string; error_description?: string }, retryAfter: string | null): unknown {
  const message = `fhir token endpoint: HTTP ${status} ${body.error ?? ''} ${body.error_description ?? ''}`.trim();
  if (body.error && ['invalid_client', 'invalid_grant', 'unauthorized_client', 'invalid_scope'].includes(body.error)) return new AuthError(message, body.error);
  return errorForHttpStatus(status, message, retryAfter);
}
