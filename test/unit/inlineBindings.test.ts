import { inlineBindings, sqlLiteral } from '../../platform/sql/inlineBindings';

describe('inlineBindings', () => {
  it('renders each type as a literal', () => {
    expect(sqlLiteral(null)).toBe('NULL');
    expect(sqlLiteral(undefined)).toBe('NULL');
    expect(sqlLiteral(42)).toBe('42');
    expect(sqlLiteral(-1.5)).toBe('(-1.5)');
    expect(sqlLiteral(10n)).toBe('10');
    expect(sqlLiteral(true)).toBe('TRUE');
    expect(sqlLiteral(new Date('2026-01-02T03:04:05.678Z'))).toBe("'2026-01-02T03:04:05.678Z'::timestamptz");
    expect(sqlLiteral(Buffer.from([0xde, 0xad]))).toBe(" E'\\\\xdead'::bytea");
    expect(sqlLiteral(['a', 'b'])).toBe("ARRAY['a', 'b']");
    expect(sqlLiteral({ a: "it's" })).toBe(`'{"a":"it''s"}'::jsonb`);
    expect(() => sqlLiteral(Number.NaN)).toThrow(/non-finite/);
  });

  it('escapes quotes and backslashes so a value can never end its literal', () => {
    expect(sqlLiteral("x'; drop table tenants; --")).toBe("'x''; drop table tenants; --'");
    expect(sqlLiteral("\\'; select 1; --")).toBe(" E'\\\\''; select 1; --'");
  });

  it('replaces placeholders outside strings, identifiers and comments only', () => {
    expect(inlineBindings(`select "a$1", '$1', $1 -- $2\nfrom t where x = $2`, ['v', 7])).toBe(`select "a$1", '$1', 'v' -- $2\nfrom t where x = 7`);
    expect(inlineBindings('select $10, $1', Array.from({ length: 10 }, (_, i) => i + 1))).toBe('select 10, 1');
  });

  it('refuses placeholders without bindings and unterminated strings', () => {
    expect(() => inlineBindings('select $2', ['only one'])).toThrow(/no binding/);
    expect(() => inlineBindings("select 'oops", [])).toThrow(/unterminated/);
  });
});
