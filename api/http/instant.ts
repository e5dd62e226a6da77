import { z } from 'zod';

/**
 * An instant given in a query or body: RFC 3339 with any offset (`2026-01-31T23:00:00-05:00`),
 * answered as the same instant in UTC (`2026-02-01T04:00:00.000Z`), the form Postgres stores for
 * every offset RFC 3339 allows (Postgres itself refuses offsets beyond ±15:59). Years 0001–9999:
 * Postgres has no year 0.
 */
export function instant() {
  return (
    z.iso
      .datetime({ offset: true })
      .regex(/^(?!0000)\d{4}-/, 'the year must be 0001 to 9999')
      // Both patterns stay in the document; the format says what they spell out.
      .meta({ format: 'date-time' })
      .transform((value, context) => {
        const date = new Date(value);
        const year = date.getUTCFullYear();
        if (year < 1 || year > 9999) {
          context.addIssue({ code: 'custom', message: 'must be between 0001-01-01 and 9999-12-31 (UTC)' });
          return z.NEVER;
        }
        return date.toISOString();
      })
  );
}
