import { ApplicationFailure } from '@temporalio/common';
import { IMPORT_MALFORMED } from '../../workflows/contracts';

/** Failure type of an input file the job cannot read at all (nothing is written; never retried). */
export { IMPORT_MALFORMED } from '../../workflows/contracts';

/** The whole file is unusable: binary, wrong encoding, empty, wrong headers, a zip bomb, too many rows. */
export function malformedInput(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, IMPORT_MALFORMED);
}
