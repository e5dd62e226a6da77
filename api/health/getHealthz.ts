import { z } from 'zod';
import { defineRoute } from '../http/route';

export const getHealthz = defineRoute({
  method: 'get',
  path: '/healthz',
  auth: 'public',
  summary: 'Liveness: 200 while the process is up',
  tags: ['health'],
  responses: { 200: { description: 'The process is up', schema: z.object({ status: z.literal('ok') }) } },
  async handler() {
    return { status: 200, body: { status: 'ok' } };
  },
});
