import { asConfigError } from './network';
import { ConnectorError, TransientError } from './errors';

/** Error codes of sockets, DNS and undici/axios that mean "try again later". */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_NETWORK',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/**
 * Classifies a failure that happened below HTTP (no status to go by): a refused destination is a
 * ConfigError, timeouts, resets and DNS hiccups are TransientErrors, classified errors pass through.
 * Anything else is returned unchanged (an unexpected bug should surface as itself).
 */
export function classifyTransportError(error: unknown, what: string): unknown {
  if (error instanceof ConnectorError) return error;
  const refused = asConfigError(error);
  if (refused !== error) return refused;
  const codes = errorCodes(error);
  const name = (error as { name?: string })?.name;
  if (name === 'TimeoutError' || name === 'AbortError' || codes.some((code) => TRANSIENT_CODES.has(code))) {
    return new TransientError(`${what}: ${describe(error)}`, codes[0], { cause: error });
  }
  // By name, not instanceof: fetch's TypeError may come from another realm (e.g. a test sandbox).
  if (name === 'TypeError' && /fetch failed|terminated|other side closed/i.test((error as Error).message)) {
    return new TransientError(`${what}: ${describe(error)}`, codes[0], { cause: error });
  }
  return error;
}

/** `code` of the error and of its causes (undici nests the socket error in `cause`). */
function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { message?: string } })?.cause;
  const message = (error as { message?: string })?.message ?? String(error);
  return cause?.message && cause.message !== message ? `${message} (${cause.message})` : message;
}
