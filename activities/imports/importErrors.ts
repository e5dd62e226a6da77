import { ApplicationFailure } from '@temporalio/common';

/** Failure type of an input file the job cannot read at all (nothing is written; never retried). */
export const IMPORT_MALFORMED = 'ImportMalformed';

/** The whole file is unusable: binary, wrong encoding, empty, wrong headers, a zip bomb, too many rows. */
export function malformedInput(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, IMPORT_MALFORMED);
}
