import type Stripe from 'stripe';
import { appendAudit } from '../../platform/audit';
import { periodLabel } from '../../platform/billing/periods';
import { stripeIdempotencyKeys } from '../../platform/billing/stripeIdempotencyKeys';
import { uuidFromName } from '../../platform/ids';
import { effectiveSettings } from '../../platform/tenants/settings';
import { type PlanId } from '../../platform/billing/catalogue';
import { type ActivityDeps } from '../deps';
import { billingStripe } from './billingStripe';
import { liftBillingSuspension, lockInvoice, markInvoicePaid } from './invoicePayments';

/** Steps of dunning the tenant is told about (one notification record each, once). */
export type DunningNotice = 'payment_failed' | 'retry_failed' | 'suspended' | 'reactivated';

/**
 * The effects of the `dunning` workflow: notification records, payment retries through Stripe,
 * suspension for non-payment and its lifting. Idempotent: notices are keyed by invoice and step,
 * payment attempts by invoice and attempt number, suspension by invoice.
 */
export function createDunningActivities({ db, config }: Pick<ActivityDeps, 'db' | 'config'>) {
  const callStripe = billingStripe(config);

  return {
    async invoicePaymentState(input: { tenantId: string; invoiceId: string }): Promise<{ status: string; tenantStatus: string }> {
      return db.withTenant(input.tenantId, async (trx) => {
        const invoice = await trx('invoices').where({ id: input.invoiceId }).first('status');
        const tenant = await trx('tenants').where({ id: input.tenantId }).first('status');
        return { status: (invoice?.status as string) ?? 'void', tenantStatus: (tenant?.status as string) ?? 'suspended' };
      });
    },

    /**
     * Records a notification for the tenant (recipients: its billing notification e-mail addresses
     * when it subscribes to `invoice.payment_failed`). The `invoice.payment_failed` webhook event
     * itself is emitted when Stripe reports each failed attempt.
     */
    async notifyDunning(input: {
      tenantId: string;
      invoiceId: string;
      notice: DunningNotice;
      step: string;
      attempt?: number;
      nextAttemptAt?: string | null;
      suspendAt?: string | null;
    }): Promise<void> {
      await db.withTenant(input.tenantId, async (trx) => {
        const tenant = (await trx('tenants').where({ id: input.tenantId }).first('plan', 'settings', 'name')) as {
          plan: PlanId;
          settings: Record<string, unknown>;
          name: string;
        };
        const invoice = (await trx('invoices')
          .where({ id: input.invoiceId })
          .first('period', 'total_cents', 'currency', 'hosted_invoice_url', 'last_payment_error')) as {
          period: string;
          total_cents: string;
          currency: string;
          hosted_invoice_url: string | null;
          last_payment_error: string | null;
        };
        const notifications = effectiveSettings(tenant.plan, tenant.settings).notifications;
        const recipients = notifications.events.includes('invoice.payment_failed') ? notifications.emailRecipients : [];
        const amount = `${(Number(invoice.total_cents) / 100).toFixed(2)} ${invoice.currency.toUpperCase()}`;
        const month = periodLabel(invoice.period);
        const text = {
          payment_failed: [
            `Payment failed for your ${month} invoice`,
            `We could not collect ${amount}${invoice.last_payment_error ? ` (${invoice.last_payment_error})` : ''}. We will retry${input.nextAttemptAt ? ` on ${input.nextAttemptAt}` : ''}; the account is suspended on ${input.suspendAt ?? 'the end of the grace period'} unless the invoice is paid.`,
          ],
          retry_failed: [
            `Payment retry ${input.attempt ?? ''} failed for your ${month} invoice`,
            `Retry ${input.attempt ?? ''} could not collect ${amount}.${input.nextAttemptAt ? ` Next retry on ${input.nextAttemptAt}.` : ''} The account is suspended on ${input.suspendAt ?? 'the end of the grace period'} unless the invoice is paid.`,
          ],
          suspended: [
            `Account suspended: ${month} invoice unpaid`,
            `${tenant.name} is suspended because ${amount} is overdue. Paying the invoice lifts the suspension at once.`,
          ],
          reactivated: [`Account reactivated`, `Thank you: the ${month} invoice is paid and ${tenant.name} is active again.`],
        }[input.notice];
        await trx('billing_notifications')
          .insert({
            id: uuidFromName(`dunning:${input.invoiceId}:${input.step}`),
            tenant_id: input.tenantId,
            invoice_id: input.invoiceId,
            kind: `dunning.${input.notice}`,
            subject: text[0],
            body: `${text[1]}${invoice.hosted_invoice_url ? ` Invoice: ${invoice.hosted_invoice_url}` : ''}`,
            recipients: recipients as never,
            data: JSON.stringify({
              step: input.step,
              attempt: input.attempt ?? null,
              nextAttemptAt: input.nextAttemptAt ?? null,
              suspendAt: input.suspendAt ?? null,
            }),
          })
          .onConflict('id')
          .ignore();
      });
    },

    /**
     * Asks Stripe to collect the invoice again (attempt `attempt`, its own idempotency key). A
     * declined or impossible payment is an outcome, not an error; success records the payment at
     * once (the `invoice.paid` webhook then changes nothing).
     */
    async retryInvoicePayment(input: { tenantId: string; invoiceId: string; attempt: number }): Promise<{ outcome: 'paid' | 'failed'; message?: string }> {
      const invoice = await db.withTenant(input.tenantId, (trx) =>
        trx('invoices').where({ id: input.invoiceId }).first('status', 'stripe_invoice_id', 'period', 'total_cents'),
      );
      if (!invoice?.stripe_invoice_id) return { outcome: 'failed', message: 'no Stripe invoice' };
      if (invoice.status === 'paid') return { outcome: 'paid' };
      const result = await callStripe(async (stripe) => {
        try {
          return {
            invoice: await stripe.invoices.pay(
              invoice.stripe_invoice_id as string,
              {},
              { idempotencyKey: stripeIdempotencyKeys.payment(input.tenantId, invoice.period as string, input.attempt) },
            ),
          };
        } catch (error) {
          if (!isPaymentRefusal(error)) throw error;
          // Refused: declined (402), or not payable now (400: e.g. paid meanwhile, no payment method).
          const current = await stripe.invoices.retrieve(invoice.stripe_invoice_id as string);
          return current.status === 'paid' ? { invoice: current } : { declined: (error as Error).message };
        }
      });
      if ('declined' in result) return { outcome: 'failed', message: result.declined };
      if (result.invoice.status !== 'paid') return { outcome: 'failed', message: `invoice is ${result.invoice.status}` };
      await db.withTenant(input.tenantId, async (trx) => {
        const locked = await lockInvoice(trx, input.invoiceId);
        if (locked)
          await markInvoicePaid(trx, locked, { amountPaidCents: result.invoice.amount_paid, paidAt: new Date(), source: `dunning retry ${input.attempt}` });
      });
      return { outcome: 'paid' };
    },

    /**
     * Suspends the tenant for non-payment of this invoice, unless it was paid meanwhile. A tenant
     * the platform admin had already suspended stays the admin's: no billing suspension is recorded,
     * so paying does not reactivate it.
     */
    async suspendForNonPayment(input: { tenantId: string; invoiceId: string }): Promise<{ suspended: boolean }> {
      return db.withTenant(input.tenantId, async (trx) => {
        const invoice = await lockInvoice(trx, input.invoiceId);
        if (!invoice || invoice.status === 'paid' || invoice.status === 'void') return { suspended: false };
        const tenant = (await trx('tenants').where({ id: input.tenantId }).forUpdate().first('status')) as { status: string };
        const billingSuspended = await trx('billing_suspensions').whereNull('lifted_at').first('invoice_id');
        if (tenant.status === 'suspended' && !billingSuspended) return { suspended: false };
        await trx('billing_suspensions').insert({ tenant_id: input.tenantId, invoice_id: input.invoiceId }).onConflict(['tenant_id', 'invoice_id']).ignore();
        if (tenant.status === 'active') {
          await trx('tenants').where({ id: input.tenantId }).update({ status: 'suspended', updated_at: trx.fn.now() });
          await appendAudit(trx, {
            tenantId: input.tenantId,
            actor: { type: 'system', id: 'billing' },
            action: 'tenant.suspended',
            target: { type: 'tenant', id: input.tenantId },
            details: {
              reason: 'non_payment',
              invoiceId: input.invoiceId,
              period: invoice.period,
              before: { status: 'active' },
              after: { status: 'suspended' },
            },
            eventKey: `invoice:${input.invoiceId}:tenant.suspended`,
          });
        }
        return { suspended: true };
      });
    },

    /** Lifts this invoice's suspension (the payment handler normally did already). */
    async liftSuspensionForInvoice(input: { tenantId: string; invoiceId: string }): Promise<{ reactivated: boolean }> {
      return db.withTenant(input.tenantId, async (trx) => {
        const invoice = await lockInvoice(trx, input.invoiceId);
        if (!invoice || invoice.status !== 'paid') return { reactivated: false };
        return { reactivated: await liftBillingSuspension(trx, invoice) };
      });
    },
  };
}

function isPaymentRefusal(error: unknown): boolean {
  const stripeError = error as Stripe.errors.StripeError;
  return (
    typeof stripeError?.statusCode === 'number' &&
    (stripeError.statusCode === 402 || (stripeError.statusCode === 400 && stripeError.type !== 'StripeIdempotencyError'))
  );
}
