import { z } from 'zod';
import { defineRoute } from '../http/route';

const check = z.object({ ok: z.boolean(), latencyMs: z.number(), error: z.string().optional() });
const readiness = z.object({ status: z.enum(['ready', 'unavailable']), checks: z.object({ postgres: check, temporal: check }) });

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
  summary: 'Readiness: 200 when Postgres and Temporal answer, else 503',
  tags: ['health'],
  responses: {
    200: { description: 'Postgres and Temporal answer', schema: readiness },
    503: { description: 'A dependency does not answer', schema: readiness },
  },
  async handler({ deps }) {
    const [postgres, temporal] = await Promise.all([
      timed(() => deps.db.ping(CHECK_TIMEOUT_MS)),
      timed(() => deps.temporal.connection.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () => deps.temporal.workflowService.getSystemInfo({}))),
    ]);
    const ok = postgres.ok && temporal.ok;
    return { status: ok ? 200 : 503, body: { status: ok ? 'ready' : 'unavailable', checks: { postgres, temporal } } };
  },
});
