import { API_KEY_PREFIX, generateApiKey, hashApiKey, hashesEqual, parseApiKey } from '../../platform/apiKeys';

describe('platform/apiKeys', () => {
  it('generates hub_sk_ keys with at least 128 random bits and a 6-character checksum', () => {
    const { key, lookupPrefix, hash } = generateApiKey();
    expect(key).toMatch(/^hub_sk_[0-9A-Za-z]{32}[0-9A-Za-z]{6}$/);
    // 32 base62 characters carry log2(62^32) ≈ 190 bits.
    expect(32 * Math.log2(62)).toBeGreaterThanOrEqual(128);
    expect(lookupPrefix).toBe(key.slice(0, API_KEY_PREFIX.length + 12));
    expect(hash).toBe(hashApiKey(key));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('parses its own keys and yields the stored lookup prefix and hash', () => {
    const generated = generateApiKey();
    expect(parseApiKey(generated.key)).toEqual({ lookupPrefix: generated.lookupPrefix, hash: generated.hash });
  });

  it('rejects any single-character change through the checksum', () => {
    const { key } = generateApiKey();
    let rejected = 0;
    for (let index = API_KEY_PREFIX.length; index < key.length; index += 1) {
      const replacement = key[index] === 'a' ? 'b' : 'a';
      const altered = `${key.slice(0, index)}${replacement}${key.slice(index + 1)}`;
      if (parseApiKey(altered) === undefined) rejected += 1;
    }
    expect(rejected).toBe(key.length - API_KEY_PREFIX.length);
  });

  it('rejects other shapes', () => {
    for (const candidate of ['', 'hub_sk_', 'sk_live_abc', `hub_pk_${'a'.repeat(38)}`, `hub_sk_${'a'.repeat(37)}`, `hub_sk_${'a'.repeat(37)}!`]) {
      expect(parseApiKey(candidate)).toBeUndefined();
    }
  });

  it('does not repeat keys', () => {
    const keys = new Set(Array.from({ length: 2_000 }, () => generateApiKey().key));
    expect(keys.size).toBe(2_000);
  });

  it('compares hashes in constant time and never equal for different or empty input', () => {
    const a = hashApiKey('a');
    expect(hashesEqual(a, a)).toBe(true);
    expect(hashesEqual(a, hashApiKey('b'))).toBe(false);
    expect(hashesEqual('', '')).toBe(false);
    expect(hashesEqual(a, a.slice(0, 10))).toBe(false);
  });
});
