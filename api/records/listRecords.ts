import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { decodeChangeCursor, encodeChangeCursor, FEED_START } from './changeCursor';
import { instant } from '../http/instant';
import { recordChangesQuery, type RecordChangeRow } from '../../platform/sync/recordChangesQuery';
import { auditActor } from '../auth/auditActor';

const MAX_LIMIT = 1_000;

const recordSchema = z.object({
  externalId: z.string(),
  stream: z.string(),
  connectorId: z.uuid(),
  data: z.record(z.string(), z.unknown()),
  sourceUpdatedAt: z.iso.datetime().nullable(),
  deletedAt: z.iso.datetime().nullable(),
  syncedAt: z.iso.datetime(),
  firstSeenAt: z.iso.datetime(),
});

export const listRecords = defineRoute({
  method: 'get',
  path: '/v1/records',
  auth: 'tenant',
  summary: 'Synced records as a change feed: every insert, update and deletion, oldest first; page with the returned cursor',
  tags: ['records'],
  query: z.strictObject({
    connectorId: z.uuid().optional(),
    stream: z.string().min(1).max(200).optional(),
    cursor: z
      .string()
      .max(100)
      // The form every cursor this API writes has (base64url of `r1:<xid>.<seq>`); one it did not write answers 400 INVALID_CURSOR.
      .meta({ pattern: '^cjE6[A-Za-z0-9_-]{2,76}$' })
      .optional()
      .describe('nextCursor of the previous page (opaque; one this API did not return answers 400 INVALID_CURSOR); absent: from the first change'),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .default(100)
      .transform((value) => Math.min(value, MAX_LIMIT))
      .describe(`Changes per page (default 100, capped at ${MAX_LIMIT})`),
    since: instant().optional().describe('Only records synced at or after this instant'),
  }),
  responses: {
    200: {
      description:
        'Changes after the cursor, oldest first: each record appears at its latest change (a deletion has `deletedAt`). `nextCursor` is where to continue (the same cursor when nothing changed since): poll with it and no change is ever missed. A change shows once every transaction that started before it has finished (normally milliseconds).',
      schema: z.object({ data: z.array(recordSchema), nextCursor: z.string(), hasMore: z.boolean() }),
    },
    400: { description: 'A cursor this API did not write (INVALID_CURSOR)' },
  },
  async handler({ deps, query, principal, req }) {
    const after = query.cursor === undefined ? FEED_START : decodeChangeCursor(query.cursor);
    if (after === undefined)
      throw errors.badRequest('INVALID_CURSOR', 'The cursor is not one this API returned', [{ path: 'query.cursor', message: 'unknown cursor' }]);
    const select = recordChangesQuery(deps.db.knex, principal.tenantId, after, query);
    const rows = await deps.db.readAsTenant<RecordChangeRow>(principal.tenantId, select);

    // Records may carry PHI (FHIR): every read of them is audited (what was read, never the data).
    await deps.db.withTenant(principal.tenantId, (trx) =>
      appendAudit(trx, {
        tenantId: principal.tenantId,
        actor: auditActor(principal, req),
        action: 'records.read',
        details: { count: rows.length, connectorId: query.connectorId ?? null, stream: query.stream ?? null, after },
      }),
    );
    const last = rows.at(-1);
    return {
      status: 200,
      body: {
        data: rows.map((row) => ({
          externalId: row.external_id,
          stream: row.stream,
          connectorId: row.connector_id,
          data: row.data,
          sourceUpdatedAt: row.source_updated_at,
          deletedAt: row.deleted_at,
          syncedAt: row.synced_at,
          firstSeenAt: row.first_seen_at,
        })),
        nextCursor: encodeChangeCursor(last ? { xid: last.change_xid, seq: last.change_seq } : after),
        hasMore: rows.length === query.limit,
      },
    };
  },
});
