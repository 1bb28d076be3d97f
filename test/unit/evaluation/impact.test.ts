// The impact core: a flow's verdict under the current and the would-be policy set, by the reference
// evaluator; flips both ways reported with the rule that would decide, endpoints whose policy does not
// change never evaluated, flows of unknown pods counted apart, and a stop between flows honoured.
import { describe, expect, it } from 'vitest';
import { evaluateImpact, type ObservedFlow, planImpact } from '../../../policy/evaluation/impact.ts';
import { inventory, networkPolicy, pod, policySet } from './factories.ts';

const pods = inventory([
  pod('shop/db', { labels: { app: 'db' }, ipv4: ['198.18.9.10'] }),
  pod('shop/web', { labels: { app: 'web' }, ipv4: ['198.18.9.1'] }),
  pod('shop/cache', { labels: { app: 'cache' }, ipv4: ['198.18.9.20'] }),
]);
const dbFrom = (app: string) =>
  networkPolicy('shop', 'db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app } } }] }] });

const toDb = (remote: string, count = 1): ObservedFlow => ({ endpoint: 'shop/db', direction: 'ingress', remote, protocol: 6, port: 5432, count });
const fromWeb: ObservedFlow = { endpoint: 'shop/web', direction: 'egress', remote: '203.0.113.1', protocol: 6, port: 443, count: 1 };

describe('evaluateImpact', () => {
  it('reports flips both ways with the deciding rule, and nothing for unchanged endpoints', () => {
    const result = evaluateImpact(planImpact(pods, policySet(dbFrom('web')), policySet(dbFrom('cache'))), [
      toDb('198.18.9.1', 3),
      toDb('198.18.9.20', 2),
      fromWeb,
    ]);
    expect(result.changes).toEqual([
      { flow: toDb('198.18.9.1', 3), before: 'allow', after: 'deny', decidedBy: expect.objectContaining({ ruleIndex: 'default', action: 'Deny' }) },
      { flow: toDb('198.18.9.20', 2), before: 'deny', after: 'allow', decidedBy: expect.objectContaining({ ruleIndex: 0, action: 'Allow' }) },
    ]);
    expect(result).toMatchObject({ evaluated: 3, unresolved: 0 });
  });

  it('names the endpoint directions whose policy changes, and only those', () => {
    expect(planImpact(pods, policySet(dbFrom('web')), policySet(dbFrom('cache'))).changed).toEqual([{ endpoint: 'shop/db', direction: 'ingress' }]);
    expect(planImpact(pods, policySet(dbFrom('web')), policySet(dbFrom('web'))).changed).toEqual([]);
  });

  it('finds nothing when the sets are the same', () => {
    const same = policySet(dbFrom('web'));
    expect(evaluateImpact(planImpact(pods, same, policySet(dbFrom('web'))), [toDb('198.18.9.1'), toDb('198.18.9.20'), fromWeb]).changes).toEqual([]);
  });

  it('counts flows of pods the inventory no longer has, or with no address as remote, as unresolved', () => {
    const flows = [{ ...toDb('198.18.9.1'), endpoint: 'shop/gone' }, toDb('not-an-address'), toDb('198.18.9.1')];
    expect(evaluateImpact(planImpact(pods, policySet(dbFrom('web')), policySet(dbFrom('cache'))), flows)).toMatchObject({ evaluated: 1, unresolved: 2 });
  });

  it('stops between flows when told to', () => {
    let asked = 0;
    const result = evaluateImpact(planImpact(pods, policySet(dbFrom('web')), policySet(dbFrom('cache'))), [toDb('198.18.9.1'), toDb('198.18.9.20'), fromWeb], {
      shouldStop: () => ++asked > 1,
    });
    expect(result).toMatchObject({ evaluated: 1, changes: [expect.objectContaining({ after: 'deny' })] });
  });
});
