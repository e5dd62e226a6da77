import { z } from 'zod';
import { errorResponseSchema } from '../errors';
import { defineRoute } from '../http/route';
import { isOperator } from './operatorAccess';

const check = z.object({ ok: z.boolean(), latencyMs: z.number(), error: z.string().optional() });
const readiness = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z
    .object({ postgres: check, temporal: check })
    .optional()
    .describe('Each dependency’s answer: only for the platform admin token or a client in API_OPERATOR_NETWORKS'),
});

const CHECK_TIMEOUT_MS = 2_000;

async function timed(probe: () => Promise<unknown>): Promise<z.infer<typeof check>> {
  const started = performance.now();
  try {
    await probe();
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: (error as Error).message.split('\n')[0] };
  }
}

export const getReadyz = defineRoute({
  method: 'get',
  path: '/readyz',
  auth: 'public',
  summary:
    'Readiness: 200 when Postgres and Temporal answer, else 503. The checks (which dependency fails, and why) only for the platform admin token or API_OPERATOR_NETWORKS',
  tags: ['health'],
  responses: {
    200: { description: 'Postgres and Temporal answer', schema: readiness },
    503: { description: 'A dependency does not answer', schema: readiness },
    401: { description: 'An Authorization header that is not the platform admin token (UNAUTHENTICATED)', schema: errorResponseSchema },
    429: { description: 'Too many failed authentications from this address (RATE_LIMITED); see Retry-After', schema: errorResponseSchema },
  },
  async handler({ deps, req }) {
    const detailed = await isOperator(deps, req, false);
    const [postgres, temporal] = await Promise.all([
      timed(() => deps.db.ping(CHECK_TIMEOUT_MS)),
      timed(() => deps.temporal.connection.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () => deps.temporal.workflowService.getSystemInfo({}))),
    ]);
    const ok = postgres.ok && temporal.ok;
    const status = ok ? 'ready' : 'unavailable';
    return { status: ok ? 200 : 503, body: detailed ? { status, checks: { postgres, temporal } } : { status } };
  },
});
