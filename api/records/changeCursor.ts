/**
 * A position in a tenant's record change feed (`GET /v1/records?cursor=`): the (transaction id,
 * change sequence) of the last change a consumer has seen, opaque to clients (base64url of
 * `r1:<xid>.<seq>`).
 */
export interface ChangePosition {
  xid: string;
  seq: string;
}

export const FEED_START: ChangePosition = { xid: '0', seq: '0' };

export function encodeChangeCursor(position: ChangePosition): string {
  return Buffer.from(`r1:${position.xid}.${position.seq}`, 'utf8').toString('base64url');
}

/** The position in a cursor, or undefined when it is not one this API wrote. */
export function decodeChangeCursor(cursor: string): ChangePosition | undefined {
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(cursor)) return undefined;
  const match = /^r1:(0|[1-9]\d{0,19})\.(0|[1-9]\d{0,18})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? { xid: match[1]!, seq: match[2]! } : undefined;
}
