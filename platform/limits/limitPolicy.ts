import { planOf, type PlanId } from '../billing/catalogue';
import { tenantSettingsSchema, type TenantSettings } from '../tenants/settings';
import { LIMIT_DEFINITIONS, type LimitDefinition, type LimitScope } from './limitCatalogue';

/** A scheduled temporary raise (`limit_raises`): `limitId` is at least `value` in [startsAt, endsAt). */
export interface LimitRaise {
  id: string;
  limitId: string;
  value: number;
  startsAt: Date;
  endsAt: Date;
}

/** One limit as it applies at an instant: the configured value, and a raise over it if one is active. */
export interface EffectiveLimit {
  definition: LimitDefinition;
  /** What settings (or the plan) say. */
  base: number;
  /** What is enforced now: the base, or a higher active raise. */
  limit: number;
  /** When the active raise that sets `limit` ends (null: no raise applies). */
  raisedUntil: Date | null;
}

type StoredLimits = NonNullable<TenantSettings['limits']>;

/** What settings or the plan set for a limit (undefined: the tenant set none, so nothing is enforced). */
function baseValue(definition: LimitDefinition, plan: PlanId, limits: StoredLimits): number | undefined {
  const catalogue = planOf(plan);
  if (definition.id === 'tenant.requestsPerSecond') return catalogue.requestsPerSecond;
  if (definition.id === 'tenant.apiCallsPerMonth') return catalogue.quotaPolicy === 'refuse' ? catalogue.apiCallsPerMonth : undefined;
  if (definition.kind === 'rate') return definition.scope === 'user' ? limits.perUser?.requestsPerSecond : limits.perApiKey?.requestsPerSecond;
  switch (definition.scope) {
    case 'tenant':
      return limits[definition.metric]?.[definition.period];
    case 'user':
      return limits.perUser?.[definition.metric]?.[definition.period];
    case 'apiKey':
      return definition.metric === 'apiCalls' && definition.period === 'month' ? limits.perApiKey?.apiCallsPerMonth : undefined;
  }
}

/**
 * A tenant's limits: its settings, its plan and its scheduled raises. A raise applies from its
 * start to its end by the clock alone (nothing has to run when it starts or ends), and only lifts:
 * a limit is the higher of its configured value and its active raises. A raise of a limit the
 * tenant has not set changes nothing (no limit is already the most).
 */
export class LimitPolicy {
  private readonly limits: StoredLimits;

  constructor(
    readonly plan: PlanId,
    settings: unknown,
    readonly raises: readonly LimitRaise[],
  ) {
    const parsed = tenantSettingsSchema.safeParse(settings ?? {});
    this.limits = (parsed.success ? parsed.data.limits : undefined) ?? {};
  }

  /** The limit `id` at `now`, or undefined when nothing limits it. */
  effective(id: string, now: Date = new Date()): EffectiveLimit | undefined {
    const definition = LIMIT_DEFINITIONS.find((candidate) => candidate.id === id);
    if (!definition) throw new Error(`unknown limit ${id}`);
    return this.effectiveOf(definition, now);
  }

  /** Every limit of these scopes that is set, as it applies at `now`. */
  all(scopes: readonly LimitScope[], now: Date = new Date()): EffectiveLimit[] {
    return LIMIT_DEFINITIONS.filter((definition) => scopes.includes(definition.scope))
      .map((definition) => this.effectiveOf(definition, now))
      .filter((limit): limit is EffectiveLimit => limit !== undefined);
  }

  private effectiveOf(definition: LimitDefinition, now: Date): EffectiveLimit | undefined {
    const base = baseValue(definition, this.plan, this.limits);
    if (base === undefined) return undefined;
    let limit = base;
    let raisedUntil: Date | null = null;
    for (const raise of this.raises) {
      if (raise.limitId !== definition.id || raise.startsAt > now || raise.endsAt <= now || raise.value <= limit) continue;
      limit = raise.value;
      raisedUntil = raise.endsAt;
    }
    return { definition, base, limit, raisedUntil };
  }
}
