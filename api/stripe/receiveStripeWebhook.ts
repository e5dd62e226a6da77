import { withStartDeadline } from '../../platform/temporal/temporalUnavailable';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { verifyStripeWebhook } from '../../platform/billing/stripeWebhook';
import { searchAttributePairs } from '../../platform/temporal/searchAttributes';
import { workflowIds } from '../../platform/temporal/workflowIds';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { WORKFLOW_TYPES } from '../../workflows/contracts';
import { type stripeEvent } from '../../workflows/stripeEvent';
import { workflowRouting } from '../../platform/temporal/taskQueues';

/**
 * Stripe's webhook endpoint (public: Stripe signs instead of presenting a key). The signature is
 * checked over the raw bytes with the endpoint secret (forged or older than 5 minutes: 400); the
 * event is stored once by its id (a redelivery only counts), and its handling is a workflow
 * (`stripeEvent`, id `stripe-event/<eventId>`), so Stripe gets its 200 as soon as the event is
 * durable and the processing survives crashes.
 */
export const receiveStripeWebhook = defineRoute({
  method: 'post',
  path: '/v1/stripe/webhook',
  auth: 'public',
  summary: 'Stripe webhook events (signature-verified, deduplicated by event id, processed by a workflow)',
  tags: ['billing'],
  rawBody: { contentTypes: ['application/json'] },
  responses: {
    200: {
      description: 'Received (or a redelivery of an event already received)',
      schema: z.object({ received: z.literal(true), eventId: z.string(), duplicate: z.boolean() }),
    },
    400: { description: 'Missing, forged or stale Stripe-Signature' },
    503: { description: 'No endpoint secret configured' },
  },
  async handler({ deps, req, res }) {
    const secret = deps.config.STRIPE_WEBHOOK_SECRET;
    if (!secret) throw errors.unavailable('BILLING_NOT_CONFIGURED', 'STRIPE_WEBHOOK_SECRET is not configured');
    const payload = await readRawBody(req, res, deps.config.API_BODY_LIMIT);
    let event;
    try {
      event = verifyStripeWebhook(payload, req.header('stripe-signature'), secret);
    } catch (error) {
      throw errors.badRequest('INVALID_SIGNATURE', `The Stripe-Signature does not verify: ${(error as Error).message.split('\n')[0]}`);
    }
    const stored = await deps.db.withPlatform(async (trx) => {
      const result = await trx.raw(
        `insert into stripe_events (id, type, livemode, stripe_created_at, payload) values (?, ?, ?, to_timestamp(?), ?)
         on conflict (id) do update set deliveries = stripe_events.deliveries + 1
         returning (xmax = 0) as inserted, processed_at`,
        [event.id, event.type, event.livemode, event.created, JSON.stringify(event)],
      );
      return result.rows[0] as { inserted: boolean; processed_at: Date | null };
    });
    if (!stored.processed_at) {
      try {
        await withStartDeadline(deps.temporal, () =>
          deps.temporal.workflow.start<typeof stripeEvent>(WORKFLOW_TYPES.stripeEvent, {
            workflowId: workflowIds.stripeEvent(event.id),
            ...workflowRouting(deps.config, WORKFLOW_TYPES.stripeEvent),
            args: [{ eventId: event.id, type: event.type }],
            typedSearchAttributes: searchAttributePairs({ JobKind: 'stripe_event' }),
            // A redelivery must not handle the event twice; only a failed handling may run again.
            workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
            staticSummary: `Stripe ${event.type}`,
          }),
        );
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
    }
    return { status: 200, body: { received: true, eventId: event.id, duplicate: !stored.inserted } };
  },
});

/** The request body as bytes (express.json skips raw-body routes), within the API's body limit. */
function readRawBody(req: Request, res: Response, limit: string): Promise<Buffer> {
  const parse = express.raw({ type: () => true, limit });
  return new Promise((resolve, reject) => {
    parse(req, res, (error?: unknown) => (error ? reject(error) : resolve(Buffer.isBuffer(req.body) ? (req.body as Buffer) : Buffer.alloc(0))));
  });
}
