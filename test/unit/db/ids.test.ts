// Ids sort in creation order, also when many are made in the same millisecond (cursor pagination
// and "oldest first" lists rely on it).
import { describe, expect, it } from 'vitest';
import { newId } from '../../../db/ids.ts';

describe('newId', () => {
  it('makes version-7 UUIDs that sort in creation order within one millisecond', () => {
    const now = Date.now() + 60_000;
    const ids = Array.from({ length: 5_000 }, () => newId(now));
    expect(ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
