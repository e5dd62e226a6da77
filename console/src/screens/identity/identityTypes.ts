import type { RequestBody, ResponseBody } from '../../api/types';

export type IdentitySettings = ResponseBody<'/v1/identity/settings', 'get'>;
export type IdentityDomain = ResponseBody<'/v1/identity/domains', 'post'>['domain'];
export type IdentityConnection = ResponseBody<'/v1/identity/connections', 'post'>['connection'];
export type ConnectionTest = ResponseBody<'/v1/identity/connections/{id}/tests/{testId}', 'get'>['test'];
export type NewConnection = RequestBody<'/v1/identity/connections', 'post'>;
