/** The audit log's filter as the page's URL holds it (so a filtered view is a link); the API's query names. */
export interface AuditFilter {
  action: string;
  actor: string;
  /** ISO instants (the inputs show them in local time). */
  from: string;
  to: string;
}

export const EMPTY_FILTER: AuditFilter = { action: '', actor: '', from: '', to: '' };

export function filterFromSearch(search: URLSearchParams): AuditFilter {
  return { action: search.get('action') ?? '', actor: search.get('actor') ?? '', from: search.get('from') ?? '', to: search.get('to') ?? '' };
}

/** The filter's non-empty fields, for the URL, `GET /v1/audit-logs` and its CSV export alike. */
export function filterQuery(filter: AuditFilter): Record<string, string> {
  return Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== ''));
}

/** `2026-12-02T10:30` (a datetime-local input, local time) ↔ an ISO instant. */
export function localInputToIso(value: string): string {
  return value ? new Date(value).toISOString() : '';
}

export function isoToLocalInput(value: string): string {
  if (!value) return '';
  const at = new Date(value);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}
