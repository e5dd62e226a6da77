import { withStartDeadline } from '../../platform/temporal/temporalUnavailable';
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { generateApiKey } from '../../platform/apiKeys';
import { durationMs } from '../../platform/config';
import { temporalUiUrl } from '../../platform/temporal/connection';
import { searchAttributePairs } from '../../platform/temporal/searchAttributes';
import { workflowIds } from '../../platform/temporal/workflowIds';
import type { TenantOnboardingInput, tenantOnboarding } from '../../workflows/tenantOnboarding';
import { ApiError, errors } from '../errors';
import { defineRoute } from '../http/route';
import { PLAN_IDS } from '../../platform/billing/catalogue';
import { tenantSchema, toTenantView, type TenantRow } from './tenantView';
import { createdApiKeySchema } from '../apiKeys/apiKeyView';
import { TENANT_SLUG_TAKEN, WORKFLOW_TYPES } from '../../workflows/contracts';
import { workflowRouting } from '../../platform/temporal/taskQueues';
import { nonBlankText } from '../http/textFields';

const body = z.strictObject({
  name: nonBlankText(200),
  slug: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/, 'lowercase letters, digits and dashes, 1-48 characters, no leading or trailing dash'),
  plan: z.enum(PLAN_IDS),
  adminEmail: z.email().max(320),
});

const created = z.object({
  tenant: tenantSchema,
  apiKey: createdApiKeySchema,
  workflowId: z.string(),
  temporalUiUrl: z.url(),
});

export const createTenant = defineRoute({
  method: 'post',
  path: '/v1/admin/tenants',
  auth: 'admin',
  summary: 'Create a tenant through the tenantOnboarding workflow; answers its first admin API key (shown once)',
  tags: ['admin'],
  body,
  responses: {
    201: { description: 'Tenant created; `apiKey.key` is the only time the secret is shown', schema: created },
    409: { description: 'The slug is taken (TENANT_SLUG_TAKEN)' },
    503: { description: 'The onboarding workflow did not finish in time (ONBOARDING_PENDING)' },
  },
  async handler({ deps, body, req }) {
    const taken = await deps.db.withPlatform((trx) => trx('tenants').where({ slug: body.slug }).first('id'));
    if (taken) throw errors.conflict('TENANT_SLUG_TAKEN', `A tenant with slug "${body.slug}" already exists`);

    const tenantId = randomUUID();
    const key = generateApiKey();
    const input: TenantOnboardingInput = {
      tenant: { tenantId, slug: body.slug, name: body.name, plan: body.plan, adminUserId: randomUUID(), adminEmail: body.adminEmail },
      // Only the hash enters workflow history; the secret goes back to the caller and nowhere else.
      apiKey: { keyId: randomUUID(), name: 'Initial admin key', lookupPrefix: key.lookupPrefix, keyHash: key.hash },
      requestedBy: { type: 'platform_admin', requestId: String(req.id), ip: req.ip },
    };
    const workflowId = workflowIds.tenantOnboarding(body.slug);

    let handle;
    try {
      handle = await withStartDeadline(deps.temporal, () =>
        deps.temporal.workflow.start<typeof tenantOnboarding>(WORKFLOW_TYPES.tenantOnboarding, {
          workflowId,
          ...workflowRouting(deps.config, WORKFLOW_TYPES.tenantOnboarding, tenantId),
          args: [input],
          workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
          typedSearchAttributes: searchAttributePairs({ TenantId: tenantId, TenantSlug: body.slug, JobKind: 'onboarding' }),
          staticSummary: `Onboard tenant ${body.slug} (${body.plan})`,
        }),
      );
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        throw errors.conflict('TENANT_SLUG_TAKEN', `Tenant "${body.slug}" is already being onboarded`);
      }
      throw error;
    }

    const timeoutMs = durationMs(deps.config.ONBOARDING_TIMEOUT);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        handle.result(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new OnboardingPending()), timeoutMs);
        }),
      ]);
    } catch (error) {
      if (error instanceof OnboardingPending) {
        throw new ApiError(
          503,
          'ONBOARDING_PENDING',
          `Onboarding workflow ${workflowId} did not finish within ${deps.config.ONBOARDING_TIMEOUT}; is a worker running?`,
          [{ path: 'workflowId', message: workflowId }],
        );
      }
      if (error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure && error.cause.type === TENANT_SLUG_TAKEN) {
        throw errors.conflict('TENANT_SLUG_TAKEN', `A tenant with slug "${body.slug}" already exists`);
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }

    const row = await deps.db.withTenant(tenantId, (trx) => trx<TenantRow>('tenants').where({ id: tenantId }).first());
    if (!row) throw new Error(`onboarding of ${body.slug} completed but the tenant row is missing`);
    return {
      status: 201,
      body: {
        tenant: toTenantView(row),
        apiKey: {
          id: input.apiKey.keyId,
          key: key.key,
          name: input.apiKey.name,
          prefix: key.lookupPrefix,
          role: 'admin' as const,
          scopes: null,
          expiresAt: null,
        },
        workflowId,
        temporalUiUrl: temporalUiUrl(deps.config, workflowId, handle.firstExecutionRunId),
      },
    };
  },
});

class OnboardingPending extends Error {}
