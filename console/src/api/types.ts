import type { paths } from './schema';

type SuccessOf<Responses> = 200 extends keyof Responses
  ? Responses[200]
  : 201 extends keyof Responses
    ? Responses[201]
    : 202 extends keyof Responses
      ? Responses[202]
      : never;

/** The JSON body an operation answers on success, from the generated schema: `ResponseBody<'/v1/users', 'get'>`. */
export type ResponseBody<Path extends keyof paths, Method extends keyof paths[Path]> = paths[Path][Method] extends { responses: infer Responses }
  ? SuccessOf<Responses> extends { content: { 'application/json': infer Body } }
    ? Body
    : never
  : never;

/** The JSON body an operation accepts: `RequestBody<'/v1/users', 'post'>`. */
export type RequestBody<Path extends keyof paths, Method extends keyof paths[Path]> = paths[Path][Method] extends {
  requestBody?: { content: { 'application/json': infer Body } };
}
  ? Body
  : never;

/** The signed-in console user. */
export type SessionUser = ResponseBody<'/v1/auth/session', 'get'>['user'];
