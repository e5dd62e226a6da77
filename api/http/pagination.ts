import { z } from 'zod';

/** Largest page a list route returns, whatever `limit` asks for. */
export const MAX_PAGE_SIZE = 100;

/** `?page=&limit=` for list routes; `limit` above {@link MAX_PAGE_SIZE} is capped, not refused. */
export const pageQuery = z.strictObject({
  page: z.coerce.number().int().min(1).default(1).describe('1-based page number'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .default(25)
    .transform((value) => Math.min(value, MAX_PAGE_SIZE))
    .describe(`Page size (default 25, capped at ${MAX_PAGE_SIZE})`),
});

export const paginationSchema = z.object({
  page: z.number().int(),
  limit: z.number().int(),
  total: z.number().int(),
  totalPages: z.number().int(),
});

/** Wraps a list item schema in the `{ data, pagination }` envelope of API.md. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), pagination: paginationSchema });
}

export function pagination(page: number, limit: number, total: number): z.infer<typeof paginationSchema> {
  return { page, limit, total, totalPages: Math.ceil(total / limit) };
}
