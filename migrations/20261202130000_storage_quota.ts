import { type Knex } from 'knex';
import { enableTenantRls } from './helpers';

/**
 * Storage quota and file expiry. `storage_usage` holds each tenant's stored bytes and files,
 * moved by statement triggers on `files` (the delta of each statement's transition tables), so the
 * count is exact whatever writes the catalogue; concurrent writers serialise on the counter row.
 * A file counts while it is not expired: job outputs that expire keep their row (`expired_at` set,
 * so a download can say the output expired) but no longer count. Files that existed before get
 * seven days (the default retention) from now; backup manifests keep no expiry (the backup's own
 * retention removes them).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table files add column expired_at timestamptz');
  await knex.raw('create index files_expiry on files (tenant_id, expires_at) where expires_at is not null and expired_at is null');
  await knex.schema.createTable('storage_usage', (table) => {
    table.uuid('tenant_id').primary().references('id').inTable('tenants').onDelete('CASCADE');
    table.bigInteger('bytes').notNullable().defaultTo(0).comment('bytes of the files that have not expired');
    table.integer('files').notNullable().defaultTo(0).comment('files that have not expired');
  });
  await enableTenantRls(knex, 'storage_usage');

  await knex.raw(`
    create function apply_storage_delta(affected uuid, byte_delta bigint, file_delta int) returns void language plpgsql as $$
    begin
      if byte_delta = 0 and file_delta = 0 then return; end if;
      if not exists (select 1 from tenants where id = affected) then return; end if; -- the tenant is being deleted
      insert into storage_usage as u (tenant_id, bytes, files) values (affected, byte_delta, file_delta)
        on conflict (tenant_id) do update set bytes = u.bytes + excluded.bytes, files = u.files + excluded.files;
    end $$`);
  // One function per statement kind: a trigger only has the transition tables it declares.
  const live = 'expired_at is null';
  const sums = (table: string, sign: '' | '-') =>
    `select tenant_id, ${sign}(coalesce(sum(size) filter (where ${live}), 0))::bigint as bytes, ${sign}(count(*) filter (where ${live}))::int as files from ${table} group by tenant_id`;
  await knex.raw(`
    create function storage_after_insert() returns trigger language plpgsql as $$
    declare r record;
    begin
      for r in ${sums('new_files', '')} loop perform apply_storage_delta(r.tenant_id, r.bytes, r.files); end loop;
      return null;
    end $$`);
  await knex.raw(`
    create function storage_after_delete() returns trigger language plpgsql as $$
    declare r record;
    begin
      for r in ${sums('old_files', '-')} loop perform apply_storage_delta(r.tenant_id, r.bytes, r.files); end loop;
      return null;
    end $$`);
  await knex.raw(`
    create function storage_after_update() returns trigger language plpgsql as $$
    declare r record;
    begin
      for r in
        select tenant_id, sum(bytes)::bigint as bytes, sum(files)::int as files from (${sums('new_files', '')} union all ${sums('old_files', '-')}) changes
        group by tenant_id
      loop
        perform apply_storage_delta(r.tenant_id, r.bytes, r.files);
      end loop;
      return null;
    end $$`);
  await knex.raw(
    `create trigger files_storage_insert after insert on files referencing new table as new_files for each statement execute function storage_after_insert()`,
  );
  await knex.raw(
    `create trigger files_storage_update after update on files referencing old table as old_files new table as new_files for each statement execute function storage_after_update()`,
  );
  await knex.raw(
    `create trigger files_storage_delete after delete on files referencing old table as old_files for each statement execute function storage_after_delete()`,
  );

  // Existing files: an expiry, and the counters seeded (forced RLS would hide rows from a non-superuser owner).
  for (const table of ['files', 'backups', 'storage_usage']) await knex.raw(`alter table ?? no force row level security`, [table]);
  await knex.raw(`update files set expires_at = now() + interval '7 days' where expires_at is null and id not in (select id from backups)`);
  await knex.raw(`
    insert into storage_usage (tenant_id, bytes, files)
    select t.id, coalesce(sum(f.size) filter (where f.expired_at is null), 0), count(f.id) filter (where f.expired_at is null)
      from tenants t left join files f on f.tenant_id = t.id group by t.id`);
  for (const table of ['files', 'backups', 'storage_usage']) await knex.raw(`alter table ?? force row level security`, [table]);
}

export async function down(knex: Knex): Promise<void> {
  for (const trigger of ['files_storage_insert', 'files_storage_update', 'files_storage_delete'])
    await knex.raw(`drop trigger if exists ?? on files`, [trigger]);
  for (const fn of ['storage_after_insert', 'storage_after_update', 'storage_after_delete']) await knex.raw(`drop function if exists ??()`, [fn]);
  await knex.raw('drop function if exists apply_storage_delta(uuid, bigint, int)');
  await knex.schema.dropTableIfExists('storage_usage');
  await knex.raw('drop index if exists files_expiry');
  await knex.raw('alter table files drop column expired_at');
}
