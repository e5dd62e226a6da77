import { type Knex } from 'knex';

const BEFORE = `'queued', 'running', 'paused', 'completed', 'failed', 'cancelled'`;
const AFTER = `'queued', 'running', 'paused', 'completed', 'completed_with_errors', 'failed', 'cancelled'`;
const FINISHED_BEFORE = `'completed', 'failed', 'cancelled'`;
const FINISHED_AFTER = `'completed', 'completed_with_errors', 'failed', 'cancelled'`;

/**
 * Outcomes that tell the truth: a job or billing run some of whose items failed ends
 * `completed_with_errors` (all failed: `failed`), and the daily job rollup counts it as finished.
 * A billing run of a month that has not ended records that the platform admin forced it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table jobs drop constraint jobs_status_check');
  await knex.raw(`alter table jobs add constraint jobs_status_check check (status in (${AFTER}))`);
  await knex.raw('alter table billing_runs drop constraint billing_runs_status_check');
  await knex.raw(`alter table billing_runs add constraint billing_runs_status_check check (status in (${AFTER}))`);
  await knex.raw('alter table billing_runs add column forced boolean not null default false');
  await replaceRollUp(knex, FINISHED_AFTER);
}

export async function down(knex: Knex): Promise<void> {
  await replaceRollUp(knex, FINISHED_BEFORE);
  await knex.raw('alter table billing_runs drop column forced');
  await knex.raw(`update billing_runs set status = 'completed' where status = 'completed_with_errors'`);
  await knex.raw('alter table billing_runs drop constraint billing_runs_status_check');
  await knex.raw(
    `alter table billing_runs add constraint billing_runs_status_check check (status in ('queued', 'running', 'completed', 'failed', 'cancelled'))`,
  );
  await knex.raw(`update jobs set status = 'completed' where status = 'completed_with_errors'`);
  await knex.raw('alter table jobs drop constraint jobs_status_check');
  await knex.raw(`alter table jobs add constraint jobs_status_check check (status in (${BEFORE}))`);
}

/** The job_daily trigger function of 20261121080100_usage_rollups with `finished` as the terminal statuses. */
async function replaceRollUp(knex: Knex, finished: string): Promise<void> {
  await knex.raw(`
    create or replace function jobs_roll_up_outcome() returns trigger language plpgsql as $$
    declare
      finished timestamptz := coalesce(new.finished_at, now());
    begin
      if new.status not in (${finished}) then
        return null;
      end if;
      if tg_op = 'UPDATE' and old.status in (${finished}) then
        return null;
      end if;
      insert into job_daily as d (tenant_id, day, kind, outcome, count, duration_ms_sum)
      values (new.tenant_id, (finished at time zone 'UTC')::date, new.kind, new.status, 1,
              coalesce(extract(epoch from finished - coalesce(new.started_at, new.created_at)) * 1000, 0))
      on conflict (tenant_id, day, kind, outcome)
      do update set count = d.count + 1, duration_ms_sum = d.duration_ms_sum + excluded.duration_ms_sum;
      return null;
    end $$`);
}
