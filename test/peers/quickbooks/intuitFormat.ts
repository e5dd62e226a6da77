/**
 * Wire details of the QuickBooks Online Accounting API the peer reproduces: timestamps with a
 * fixed offset (Intuit answers in Pacific time, e.g. `2015-07-24T10:33:39-07:00`) and error bodies
 * (`Fault` with an `Error` list whose `code` is Intuit's error code).
 */

const OFFSET_MINUTES = -7 * 60;

/** `2015-07-24T10:33:39-07:00` (whole seconds, as in MetaData), or with milliseconds (as in `time`). */
export function intuitTime(ms: number, withMillis = false): string {
  const shifted = new Date(ms + OFFSET_MINUTES * 60_000).toISOString();
  const local = withMillis ? shifted.slice(0, 23) : shifted.slice(0, 19);
  return `${local}-07:00`;
}

export interface IntuitFaultError {
  Message: string;
  Detail: string;
  code: string;
  element?: string;
}

export function intuitFault(type: string, errors: IntuitFaultError[], now = Date.now()): Record<string, unknown> {
  return { Fault: { Error: errors, type }, time: intuitTime(now, true) };
}

export const faults = {
  authenticationFailed: (detail = 'Token expired') =>
    intuitFault('AUTHENTICATION', [{ Message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401', Detail: detail, code: '3200' }]),
  authorizationFailed: () =>
    intuitFault('AUTHORIZATION', [
      {
        Message: 'message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403',
        Detail: 'The application is not authorized for this company',
        code: '3100',
      },
    ]),
  throttled: () =>
    intuitFault('SERVICE', [{ Message: 'message=ThrottleExceeded; errorCode=003001; statusCode=429', Detail: 'The request limit was reached.', code: '3001' }]),
  serviceUnavailable: (status: number) =>
    intuitFault('SERVICE', [
      { Message: `message=InternalServerError; statusCode=${status}`, Detail: 'An application error has occurred while processing your request', code: '3100' },
    ]),
  validation: (message: string, detail: string, code = '2020', element?: string) =>
    intuitFault('ValidationFault', [{ Message: message, Detail: detail, code, ...(element ? { element } : {}) }]),
  queryParser: (detail: string) => intuitFault('ValidationFault', [{ Message: 'Error parsing query', Detail: `QueryParserError: ${detail}`, code: '4000' }]),
};

/** The body Intuit sends with a status the fault injector forces. */
export function faultBodyForStatus(status: number): Record<string, unknown> {
  if (status === 401) return faults.authenticationFailed();
  if (status === 403) return faults.authorizationFailed();
  if (status === 429) return faults.throttled();
  if (status >= 500) return faults.serviceUnavailable(status);
  return faults.validation('Request has invalid or unsupported property', 'Forced by the peer', '2010');
}
