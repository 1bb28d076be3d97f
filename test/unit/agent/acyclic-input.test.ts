// The agent validates with zod's cycle bookkeeping off (agent/validation/acyclic-input.ts, imported
// first by agent/main.ts): the IR's recursive selectors still accept and refuse exactly what they did.
import '../../../agent/validation/acyclic-input.ts';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { selectorSchema } from '../../../policy/ir.ts';

describe('validation without cycle bookkeeping', () => {
  it('is the memoizer the agent runs with', () => {
    expect(z.config().memoizer?.alloc({} as never, { value: {}, issues: [] }, ['empty'], {} as never)).toEqual(['empty']);
  });

  it('accepts nested selectors and refuses a bad one deep inside, with its path', () => {
    const nested = {
      op: 'and',
      args: [
        { op: 'eq', key: 'app', value: 'web' },
        { op: 'not', arg: { op: 'has', key: 'canary' } },
      ],
    };
    expect(selectorSchema.safeParse(nested)).toEqual({ success: true, data: nested });
    const bad = {
      op: 'and',
      args: [
        { op: 'eq', key: 'app', value: 'web' },
        { op: 'not', arg: { op: 'has', key: 7 } },
      ],
    };
    const result = selectorSchema.safeParse(bad);
    expect(result.success).toBe(false);
    expect(result.error?.issues.length).toBeGreaterThan(0);
  });
});
