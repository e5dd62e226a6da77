import { z } from 'zod';
import { defineRoute } from '../http/route';

export const getOpenApiDocument = defineRoute({
  method: 'get',
  path: '/openapi.json',
  auth: 'public',
  summary: 'The OpenAPI 3.1 document of this API, generated from the route schemas',
  tags: ['docs'],
  responses: { 200: { description: 'OpenAPI 3.1 document', schema: z.looseObject({ openapi: z.string() }) } },
  async handler({ req }) {
    return { status: 200, body: req.app.locals.openApiDocument as { openapi: string } };
  },
});
