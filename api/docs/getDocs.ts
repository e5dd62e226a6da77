import swaggerUi from 'swagger-ui-express';
import { defineRoute, RESPONDED } from '../http/route';

const renderDocs = swaggerUi.setup(undefined, { swaggerUrl: '/openapi.json', customSiteTitle: 'Integration Hub API' });

export const getDocs = defineRoute({
  method: 'get',
  path: '/docs',
  auth: 'public',
  summary: 'Browsable API documentation (Swagger UI over /openapi.json)',
  tags: ['docs'],
  responses: { 200: { description: 'HTML page', contentType: 'text/html' } },
  async handler({ req, res }) {
    await new Promise<void>((resolve) => {
      renderDocs(req, res, () => resolve());
      res.once('finish', () => resolve());
    });
    return RESPONDED;
  },
});
