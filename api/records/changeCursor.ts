/**
 * The position in a tenant's record change feed (`GET /v1/records?cursor=`): the change sequence of
 * the last change a consumer has seen, opaque to clients (base64url of `r1:<seq>`).
 */
export function encodeChangeCursor(changeSeq: bigint | string | number): string {
  return Buffer.from(`r1:${String(changeSeq)}`, 'utf8').toString('base64url');
}

/** The change sequence in a cursor, or undefined when it is not one this API wrote. */
export function decodeChangeCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cursor)) return undefined;
  const match = /^r1:(0|[1-9]\d{0,18})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match?.[1];
}
