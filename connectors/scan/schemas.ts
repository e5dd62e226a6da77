import { z } from 'zod';

/**
 * The batch medical scan provider's HTTP contract (what the `scan` connector speaks and the peer
 * in test/peers/scan serves). JSON over HTTPS, `Authorization: Bearer <apiKey>` when the tenant
 * has a key.
 *
 * - `GET  /v1/health` → `{ status: "ok", provider, version }` (checks the key).
 * - `POST /v1/scans` with `Idempotency-Key` and `{ items: ScanItem[] }` (at most 500) →
 *   `{ batchId, results: ScanResult[] }`, one result per item in input order. A repeated key
 *   answers the first response again. Per-item failures are results with `status: "error"`;
 *   the batch as a whole fails only with 400 (invalid batch), 401, 429 (+ Retry-After) or 5xx.
 * - `GET  /v1/scans?updatedSince=<ISO>&after=<scanId>&limit=<n ≤ 1000>&includeDeleted=true` →
 *   `{ data: ScanRecord[], hasMore }` ordered by (`updatedAt`, `scanId`): every scan changed after
 *   the position (re-adjudicated scans come back with a new `updatedAt`; purged scans as
 *   `deleted: true` tombstones).
 * Errors: `{ error: { code, message } }`.
 */
export const scanItemSchema = z
  .object({
    /** The caller's id for the item (echoed back). */
    id: z.string().min(1).max(200),
    medication: z.string().min(1).max(500).optional(),
    /** National Drug Code, 10 or 11 digits with dashes (e.g. 0002-8215-01). */
    ndc: z
      .string()
      .regex(/^\d{4,5}-\d{3,4}-\d{1,2}$/)
      .optional(),
    /** Optional FHIR-style patient reference (e.g. Patient/123). */
    patientRef: z.string().max(200).optional(),
  })
  .refine((item) => item.medication !== undefined || item.ndc !== undefined, 'medication or ndc is required');
export type ScanItem = z.infer<typeof scanItemSchema>;

export interface ScanFinding {
  normalizedName: string;
  ndc: string | null;
  rxcui: string;
  interactionRisk: 'none' | 'low' | 'moderate' | 'high';
  flags: string[];
}

export interface ScanResult {
  id: string;
  status: 'ok' | 'error';
  scanId?: string;
  result?: ScanFinding;
  error?: { code: string; message: string };
}

export interface ScanRecord {
  scanId: string;
  itemId: string;
  batchId: string;
  status: 'ok' | 'error';
  patientRef: string | null;
  result: ScanFinding | null;
  error: { code: string; message: string } | null;
  updatedAt: string;
  deleted?: boolean;
}

export const MAX_BATCH_ITEMS = 500;
export const MAX_LIST_LIMIT = 1000;
