import { z } from 'zod';
import { ApiError, SCIM_ERROR_SCHEMA } from '../errors';

/** SCIM's error detail keywords (RFC 7644 §3.12) that the hub answers. */
export type ScimType =
  'invalidFilter' | 'tooMany' | 'uniqueness' | 'mutability' | 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'invalidValue' | 'invalidVers' | 'sensitive';

/** An error a SCIM handler throws; the error handler renders it in SCIM's shape for /scim/v2 paths. */
export class ScimError extends ApiError {
  constructor(
    status: number,
    readonly scimType: ScimType | undefined,
    detail: string,
  ) {
    super(status, scimType ? `SCIM_${scimType.toUpperCase()}` : 'SCIM_ERROR', detail);
  }
}

export const scimErrors = {
  invalidValue: (detail: string) => new ScimError(400, 'invalidValue', detail),
  invalidSyntax: (detail: string) => new ScimError(400, 'invalidSyntax', detail),
  invalidFilter: (detail: string) => new ScimError(400, 'invalidFilter', detail),
  invalidPath: (detail: string) => new ScimError(400, 'invalidPath', detail),
  noTarget: (detail: string) => new ScimError(400, 'noTarget', detail),
  mutability: (detail: string) => new ScimError(400, 'mutability', detail),
  uniqueness: (detail: string) => new ScimError(409, 'uniqueness', detail),
  notFound: (what: string, id: string) => new ScimError(404, undefined, `${what} ${id} not found`),
};

/** The SCIM error body, for the OpenAPI document. */
export const scimErrorSchema = z.object({
  schemas: z.array(z.literal(SCIM_ERROR_SCHEMA)),
  status: z.string(),
  scimType: z.string().optional(),
  detail: z.string(),
});
