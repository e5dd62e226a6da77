import type { ResponseBody } from '../../api/types';

export type ScimConnection = ResponseBody<'/v1/scim-token', 'get'>;
export type ScimToken = NonNullable<ScimConnection['token']>;
export type ScimRequest = ResponseBody<'/v1/scim-requests', 'get'>['requests'][number];
