// Values written into a tenant read's text (db/sql-literal.ts): escape string constants; what no
// literal may carry is refused, never truncated or coerced.
import { describe, expect, it } from 'vitest';
import { sqlLiteralText } from '../../../db/sql-literal.ts';

describe('SQL literals', () => {
  // That Postgres reads each back as the value, for any text, is test/integration/db/tenant-read.test.ts.
  it('double every quote and backslash inside an escape string', () => {
    expect(sqlLiteralText("x'); drop table tenants; --")).toBe("E'x''); drop table tenants; --'");
    expect(sqlLiteralText("\\'")).toBe("E'\\\\'''");
  });

  it('write numbers, bigints and dates as their text, booleans and null as keywords', () => {
    expect(sqlLiteralText(51)).toBe("E'51'");
    expect(sqlLiteralText(-1.5)).toBe("E'-1.5'");
    expect(sqlLiteralText(12345678901234567890n)).toBe("E'12345678901234567890'");
    expect(sqlLiteralText(new Date(Date.UTC(2026, 11, 7, 12, 0, 0)))).toBe("E'2026-12-07T12:00:00.000Z'::timestamptz");
    expect(sqlLiteralText(true)).toBe('true');
    expect(sqlLiteralText(null)).toBe('NULL');
  });

  it('refuse NUL, non-finite numbers and invalid dates', () => {
    for (const value of ['a\0b', Number.NaN, Number.POSITIVE_INFINITY, new Date(Number.NaN)]) {
      expect(() => sqlLiteralText(value)).toThrow(expect.objectContaining({ code: 'NO_SQL_LITERAL' }));
    }
  });
});
