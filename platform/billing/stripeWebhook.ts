import Stripe from 'stripe';

/** How old a signed webhook may be (seconds): Stripe's own default, which its SDK enforces. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/**
 * Verifies a Stripe webhook: the `Stripe-Signature` header (`t=…,v1=…`) must be an HMAC-SHA256 of
 * `t.payload` with the endpoint secret, and `t` no older than the tolerance (replays of old
 * deliveries are refused). Returns the event; throws Stripe's SignatureVerificationError otherwise.
 * `payload` must be the raw request bytes.
 */
export function verifyStripeWebhook(payload: Buffer, signature: string | undefined, secret: string): Stripe.Event {
  if (!signature) throw new Stripe.errors.StripeSignatureVerificationError(signature ?? '', payload, { message: 'No Stripe-Signature header' });
  return Stripe.webhooks.constructEvent(payload, signature, secret, WEBHOOK_TOLERANCE_SECONDS);
}
