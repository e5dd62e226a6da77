import { type Knex } from 'knex';
import { ownerDb, startTestHub, type CreatedTenant, type TestHub } from './hub';

type TenantFields = Parameters<TestHub['createTenant']>[0];

export interface UseHubOptions<Tenants extends readonly TenantFields[] = TenantFields[]> {
  /** Config overrides for the hub; a function when they depend on something started earlier (a peer). */
  env?: Record<string, string> | (() => Record<string, string>);
  /**
   * false: the API only (the file runs its worker itself, e.g. as a process it can kill). Leave
   * `tenants` out then and create them once that worker runs: onboarding is a workflow.
   */
  worker?: boolean;
  logDestination?: NodeJS.WritableStream;
  /** Tenants created, in this order, once the hub runs (`{}` for one with the defaults). */
  tenants?: Tenants;
}

export interface HubFixture<Tenants extends readonly TenantFields[] = TenantFields[]> {
  /** The file's hub; usable inside tests and hooks declared after `useHub`. */
  hub: TestHub;
  /** The tenants asked for, in order (one per entry of `options.tenants`). */
  tenants: { -readonly [Index in keyof Tenants]: CreatedTenant };
  /** The first tenant asked for. */
  tenant: CreatedTenant;
  /** Owner (superuser) connection to the test database, closed after the file. */
  owner: Knex;
}

/**
 * Registers a test file's hub with jest: `beforeAll` starts it and creates the tenants asked
 * for, `afterAll` stops it and closes the owner connection. The values are stand-ins that reach
 * the real objects once `beforeAll` has run, so a file destructures them at the top
 * (`const { hub, tenant, owner } = useHub({ tenants: [{}] })`) and uses them in its tests.
 */
export function useHub<const Tenants extends readonly TenantFields[] = []>(options: UseHubOptions<Tenants> = {}): HubFixture<Tenants> {
  let hub: TestHub | undefined;
  const tenants: Array<CreatedTenant | undefined> = (options.tenants ?? []).map(() => undefined);
  const owner = ownerDb();

  beforeAll(async () => {
    const env = typeof options.env === 'function' ? options.env() : (options.env ?? {});
    hub = await startTestHub(env, { worker: options.worker, logDestination: options.logDestination });
    for (const [index, fields] of (options.tenants ?? []).entries()) tenants[index] = await hub.createTenant(fields);
  });
  afterAll(async () => {
    await hub?.stop();
    await owner.destroy();
  });

  const tenantStandIns = tenants.map((_, index) => standIn(() => tenants[index], `tenant ${index}`));
  return {
    hub: standIn(() => hub, 'the hub'),
    tenants: tenantStandIns as HubFixture<Tenants>['tenants'],
    tenant: tenantStandIns[0] ?? standIn<CreatedTenant>(() => undefined, 'a tenant (none was asked for)'),
    owner,
  };
}

/**
 * Starts something the file needs beside its hub (a peer, a webhook receiver) in `beforeAll`
 * and stops it in `afterAll`; answers a stand-in for it, like {@link useHub}'s.
 */
export function useStarted<T extends { stop(): Promise<void> }>(start: () => Promise<T>, what = 'the started resource'): T {
  let started: T | undefined;
  beforeAll(async () => {
    started = await start();
  });
  afterAll(async () => {
    await started?.stop();
  });
  return standIn(() => started, what);
}

/**
 * An object that forwards every property read and write to `current()`, the value a `beforeAll`
 * sets later. Reading it before then fails with a message naming `what`.
 */
function standIn<T extends object>(current: () => T | undefined, what: string): T {
  const target = (): T => {
    const value = current();
    if (value === undefined) throw new Error(`${what} is not ready: use it inside tests or hooks declared after it`);
    return value;
  };
  return new Proxy({} as T, {
    get(_, property) {
      const real = target();
      const value = Reflect.get(real, property, real);
      // Methods run on the real object (class methods with private state need their own `this`).
      return typeof value === 'function' ? value.bind(real) : value;
    },
    set: (_, property, value) => Reflect.set(target(), property, value),
    has: (_, property) => Reflect.has(target(), property),
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor(_, property) {
      const descriptor = Reflect.getOwnPropertyDescriptor(target(), property);
      return descriptor ? { ...descriptor, configurable: true } : undefined;
    },
  });
}
