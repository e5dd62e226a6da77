import { ApplicationFailure } from '@temporalio/common';
import { type ActivityInterceptorsFactory } from '@temporalio/worker';
import { DATABASE_CONSTRAINT } from '../../workflows/contracts';

/**
 * Postgres errors a retry cannot fix: data exceptions (class 22) and integrity violations (class
 * 23), e.g. a check constraint. Without this, the SDK would retry them until the activity times out.
 * Serialization failures and deadlocks (class 40) stay retryable.
 */
export function isPermanentDatabaseError(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^(22|23)[0-9A-Z]{3}$/.test(code);
}

/** Turns permanent database errors into non-retryable ApplicationFailures of type `DatabaseConstraint`. */
export const permanentDatabaseErrors: ActivityInterceptorsFactory = () => ({
  inbound: {
    async execute(input, next) {
      try {
        return await next(input);
      } catch (error) {
        if (isPermanentDatabaseError(error)) {
          const { constraint, table } = error as { constraint?: string; table?: string };
          throw ApplicationFailure.create({
            type: DATABASE_CONSTRAINT,
            message: `${error.message} (sqlstate ${error.code}${table ? `, table ${table}` : ''}${constraint ? `, constraint ${constraint}` : ''})`,
            nonRetryable: true,
            cause: error,
          });
        }
        throw error;
      }
    },
  },
});
