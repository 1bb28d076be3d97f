// The Preview's impact wording: verdicts before and after, the deciding rule, the one-line summary.
import { describe, expect, it } from 'vitest';
import type { Impact } from '../../../console/src/client/types.ts';
import { decidingRule, impactSummary, samplingNote, verdictChange } from '../../../console/src/policies/impact.ts';

const impact = (overrides: Partial<Impact>): Impact => ({
  since: '2026-12-06T00:00:00.000Z',
  inventoryHash: 'h',
  flowsEvaluated: 4,
  unresolved: 0,
  totals: { allowToDeny: 0, denyToAllow: 0 },
  changes: [],
  ...overrides,
});

describe('impact wording', () => {
  it('names the verdict each way a flow flips', () => {
    expect(verdictChange('allowToDeny')).toEqual({ before: 'allowed', after: 'denied' });
    expect(verdictChange('denyToAllow')).toEqual({ before: 'denied', after: 'allowed' });
  });

  it('names the deciding rule, a tier default, or no policy at all', () => {
    expect(decidingRule({ tier: 'default', policy: 'NetworkPolicy/shop/allow-web', ruleIndex: 0, action: 'Allow' })).toBe(
      'default / NetworkPolicy/shop/allow-web / rule 0 (Allow)',
    );
    expect(decidingRule({ tier: 'security', policy: 'GlobalNetworkPolicy/lockdown', ruleIndex: 'default', action: 'Deny' })).toBe(
      'security / GlobalNetworkPolicy/lockdown / tier default (Deny)',
    );
    expect(decidingRule(null)).toBe('no policy (allowed by default)');
  });

  it('sums up both directions and the groups, counting the omitted ones', () => {
    const change = {
      change: 'denyToAllow' as const,
      direction: 'ingress' as const,
      source: 'shop/web',
      destination: 'shop/backend',
      protocol: 6,
      port: 8080,
      count: 3,
      flows: 1,
      decidedBy: null,
    };
    expect(impactSummary(impact({ totals: { allowToDeny: 0, denyToAllow: 3 }, changes: [change], changesOmitted: 2 }))).toBe(
      '3 would be allowed, 0 would be denied, in 3 flow groups (4 distinct flows evaluated).',
    );
    expect(impactSummary(impact({ flowsEvaluated: 1 }))).toBe('No observed flow would change verdict (1 distinct flow evaluated).');
  });

  it('says which rows were evaluated and, when the read stopped short, which window was read', () => {
    const asked = '2026-12-06T00:00:00.000Z';
    const time = (iso: string) => iso.slice(11, 16);
    expect(samplingNote({ rows: 40, of: 100, since: asked }, asked, time)).toBe('Only the busiest flows could be evaluated in time: 40 of 100 flow log rows.');
    expect(samplingNote({ rows: 30, of: 30, since: '2026-12-06T22:15:00.000Z' }, asked, time)).toBe(
      'Only flows since 22:15 could be read in time, not all since 00:00: all 30 flow log rows evaluated.',
    );
    expect(samplingNote({ rows: 1, of: 30, since: '2026-12-06T22:15:00.000Z' }, asked, time)).toBe(
      'Only flows since 22:15 could be read in time, not all since 00:00: the busiest evaluated, 1 of 30 flow log rows.',
    );
  });
});
