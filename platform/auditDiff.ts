/** Field names whose values never enter an audit row (same spirit as the logger's redaction list). */
const SECRET_FIELD = /(secret|token|password|passphrase|credential|apikey|api_key|privatekey|private_key|^key$|keyhash|key_hash|webhookurl)/i;

/** A deep copy of `value` with every secret-looking field replaced by `[redacted]`. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([name, field]) => [name, SECRET_FIELD.test(name) ? '[redacted]' : redactSecrets(field)]),
  );
}

/**
 * `{ before, after }` of the top-level fields that changed between two versions of a document
 * (settings, branding, a user), secrets redacted: what an audit row of a settings change carries.
 */
export function auditChanges(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((name) => JSON.stringify(before[name]) !== JSON.stringify(after[name]));
  const pick = (document: Record<string, unknown>) => Object.fromEntries(changed.filter((name) => name in document).map((name) => [name, document[name]]));
  return { before: redactSecrets(pick(before)) as Record<string, unknown>, after: redactSecrets(pick(after)) as Record<string, unknown> };
}
