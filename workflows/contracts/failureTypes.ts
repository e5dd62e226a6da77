/**
 * Every ApplicationFailure type the hub's activities and workflows raise, by area. Activities
 * throw them, workflows list them in `nonRetryableErrorTypes`, the API maps some of them to
 * answers and job errors report them as `code`: one spelling for all. Recorded histories carry
 * these strings, so they never change.
 */

/** Failures of activities that use a connector (connectors/errors.ts classifies the errors). */
export const CONNECTOR_FAILURE_TYPES = {
  auth: 'ConnectorAuthError',
  config: 'ConnectorConfigError',
  rate_limit: 'ConnectorRateLimited',
  transient: 'ConnectorTransientError',
} as const;

/** The connector's stored credentials could not be decrypted (tampered or a lost key). */
export const CONNECTOR_CREDENTIALS_UNREADABLE = 'ConnectorCredentialsUnreadable';
/** The connector row does not exist (deleted while work was queued). */
export const CONNECTOR_NOT_FOUND = 'ConnectorNotFound';

/** Retry policy's `nonRetryableErrorTypes` for activities that use a connector. */
export const NON_RETRYABLE_CONNECTOR_FAILURE_TYPES: string[] = [
  CONNECTOR_FAILURE_TYPES.auth,
  CONNECTOR_FAILURE_TYPES.config,
  CONNECTOR_CREDENTIALS_UNREADABLE,
  CONNECTOR_NOT_FOUND,
];

/** API error codes of a failed connection test, by failure type. */
export const TEST_ERROR_CODES: Readonly<Record<string, string>> = {
  [CONNECTOR_FAILURE_TYPES.auth]: 'AUTH_FAILED',
  [CONNECTOR_FAILURE_TYPES.config]: 'CONFIG_INVALID',
  [CONNECTOR_FAILURE_TYPES.rate_limit]: 'RATE_LIMITED',
  [CONNECTOR_FAILURE_TYPES.transient]: 'UNAVAILABLE',
  [CONNECTOR_CREDENTIALS_UNREADABLE]: 'CREDENTIALS_UNREADABLE',
  [CONNECTOR_NOT_FOUND]: 'NOT_FOUND',
};

/** A permanent database error (constraint, bad input) an activity must not retry. */
export const DATABASE_CONSTRAINT = 'DatabaseConstraint';

/** The sync run was replaced, cancelled or is not the one that owns the stream any more. */
export const SYNC_RUN_SUPERSEDED = 'SyncRunSuperseded';

/** A user import file that cannot be read as a table of users. */
export const IMPORT_MALFORMED = 'ImportMalformed';

/** A dataset and format an export cannot produce. */
export const EXPORT_NOT_SUPPORTED = 'ExportNotSupported';

/** A batch scan's items (inline or uploaded) that cannot be scanned. */
export const INVALID_SCAN_INPUT = 'InvalidScanInput';

/** Failures of a migration job. */
export const MIGRATION_FAILURE_TYPES = {
  /** The legacy dataset or its mapping is invalid; nothing was migrated. */
  invalid: 'MigrationInvalid',
  /** The migrated data does not match the control totals. */
  verifyFailed: 'MigrationVerifyFailed',
  /** A step failed after rows changed; they were restored. */
  rolledBack: 'MigrationRolledBack',
} as const;

/** A backup of a table that cannot be made. */
export const BACKUP_FAILED = 'BackupFailed';

/** Failures of a restore job. */
export const RESTORE_FAILURES = { refused: 'RestoreRefused', verification: 'RestoreVerificationFailed', slugTaken: 'TenantSlugTaken' } as const;

/** Another tenant has the slug (onboarding, restore under a new slug). */
export const TENANT_SLUG_TAKEN = 'TenantSlugTaken';

/** Failures of billing activities (all created non-retryable). */
export const BILLING_FAILURES = {
  notConfigured: 'BillingNotConfigured',
  totalMismatch: 'InvoiceTotalMismatch',
  unknownInvoice: 'InvoiceNotFound',
} as const;

/** A billing run's period is not YYYY-MM. */
export const BILLING_PERIOD_INVALID = 'InvalidPeriod';

/**
 * Some or every item of a job or billing run failed (rows, items, tenants): the `code` of its
 * error (its status says `completed_with_errors` or `failed`), and the failure type of a workflow
 * whose every item failed.
 */
export const ITEMS_FAILED = 'ITEMS_FAILED';
