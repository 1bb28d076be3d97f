// The compile phase (no kernel): every needed program compiled once, by key, with the endpoints that
// will run it; a program over a limit refuses the phase, naming each of those endpoints.
import { describe, expect, it } from 'vitest';
import { compilePrograms } from '../../../agent/datapath/compile.ts';
import type { ProgramNeed } from '../../../agent/datapath/plan.ts';
import { cidrs, directionPolicy, policy, rule, term, tier } from '../../dataplane/datapath/support/policies.ts';

const allowWeb = directionPolicy('ingress', [tier('default', 'Deny', [policy('web', [rule('Allow', term('TCP', [[80, 80]]))])], 1_000_000)]);

const need = (key: string, overrides: Partial<ProgramNeed> = {}): ProgramNeed => ({
  key,
  direction: 'ingress',
  policy: allowWeb,
  bandwidth: false,
  endpoints: ['x/web-1', 'x/web-2'],
  ...overrides,
});

describe('compilePrograms', () => {
  it('compiles each need under its key, carrying the endpoints that will run it', () => {
    const result = compilePrograms(
      new Map([
        ['ingress:web', need('ingress:web')],
        ['egress:open:bw', need('egress:open:bw', { direction: 'egress', policy: null, bandwidth: true, endpoints: ['x/db'] })],
      ]),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect([...result.compiled.keys()]).toEqual(['ingress:web', 'egress:open:bw']);
    expect(result.compiled.get('ingress:web')).toMatchObject({ endpoints: ['x/web-1', 'x/web-2'], compiled: { direction: 'ingress', hash: allowWeb.hash } });
    expect(result.compiled.get('egress:open:bw')!.compiled.stats).toMatchObject({ bandwidth: true });
  });

  it('forces the strategy it is given', () => {
    const result = compilePrograms(new Map([['ingress:web', need('ingress:web')]]), { strategy: 'classifier' });
    expect(result.ok && result.compiled.get('ingress:web')!.compiled.stats.strategy).toBe('classifier');
  });

  it('refuses when a program exceeds a limit, with one COMPILE_LIMIT error per endpoint that needed it', () => {
    // straight-line code costs three conditional jumps per rule with an address set: 3,000 rules are
    // over limits.ts MAX_CONDITIONAL_JUMPS
    const huge = directionPolicy('ingress', [
      tier(
        'default',
        'Deny',
        [
          policy(
            'many',
            Array.from({ length: 3_000 }, (_, i) => rule('Allow', term('TCP', [[1000 + i, 1000 + i]], cidrs(`10.0.${i >> 8}.${i & 255}/32`)))),
          ),
        ],
        1_000_000,
      ),
    ]);
    const result = compilePrograms(new Map([['ingress:huge', need('ingress:huge', { policy: huge })]]), { strategy: 'straight-line' });
    expect(result).toMatchObject({
      ok: false,
      errors: [
        { code: 'COMPILE_LIMIT', endpoint: 'x/web-1', message: expect.stringContaining('conditional jumps') },
        { code: 'COMPILE_LIMIT', endpoint: 'x/web-2' },
      ],
    });
  });
});
