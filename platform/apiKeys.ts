import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * API key format: `hub_sk_<32 base62 chars: ~190 random bits><6 base62 chars: CRC-32 checksum>`.
 * The checksum lets the API reject typos and scanners' guesses without a database lookup; the
 * database stores only the lookup prefix (`hub_sk_` + the first 12 random chars) and the SHA-256.
 */
export const API_KEY_PREFIX = 'hub_sk_';
const BODY_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
const LOOKUP_LENGTH = 12;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const KEY_PATTERN = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${BODY_LENGTH + CHECKSUM_LENGTH}}$`);

export interface GeneratedApiKey {
  /** The secret, shown to its owner once. */
  key: string;
  /** Stored and shown in lists; identifies the key. */
  lookupPrefix: string;
  /** Hex SHA-256 of the whole key; the only form of the secret that is stored. */
  hash: string;
}

export function generateApiKey(): GeneratedApiKey {
  const body = randomBase62(BODY_LENGTH);
  const key = `${API_KEY_PREFIX}${body}${checksum(body)}`;
  return { key, lookupPrefix: lookupPrefixOf(body), hash: hashApiKey(key) };
}

/** Parses a presented key; undefined when its shape or checksum is wrong (no lookup needed). */
export function parseApiKey(candidate: string): { lookupPrefix: string; hash: string } | undefined {
  if (!KEY_PATTERN.test(candidate)) return undefined;
  const body = candidate.slice(API_KEY_PREFIX.length, API_KEY_PREFIX.length + BODY_LENGTH);
  const sum = candidate.slice(API_KEY_PREFIX.length + BODY_LENGTH);
  if (sum !== checksum(body)) return undefined;
  return { lookupPrefix: lookupPrefixOf(body), hash: hashApiKey(candidate) };
}

export function hashApiKey(key: string): string {
  // One-shot hash: no Hash object per request (every authenticated request hashes its key).
  return hash('sha256', key, 'hex');
}

/** Constant-time comparison of two hex digests. */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

function lookupPrefixOf(body: string): string {
  return `${API_KEY_PREFIX}${body.slice(0, LOOKUP_LENGTH)}`;
}

function checksum(body: string): string {
  let value = crc32(body);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i += 1) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

/** Unbiased base62 (rejection sampling: bytes ≥ 248 are discarded). */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

const KEY_LIKE = /hub_sk_[0-9A-Za-z]*/g;

/** Blanks anything that looks like an API key in free text (URLs in logs and error messages). */
export function redactApiKeys(text: string): string {
  return text.includes(API_KEY_PREFIX) ? text.replace(KEY_LIKE, `${API_KEY_PREFIX}[redacted]`) : text;
}
