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

  it("reports every replica's flow, each with the verdicts of its own policies, when replicas share them", () => {
    const replicas = inventory([
      pod('shop/web-a', { labels: { app: 'web' }, ipv4: ['198.18.9.1'] }),
      pod('shop/web-b', { labels: { app: 'web' }, ipv4: ['198.18.9.2'] }),
      pod('shop/batch', { labels: { app: 'batch' }, ipv4: ['198.18.9.3'] }),
    ]);
    const egressTo443 = (app: string) =>
      networkPolicy('shop', `${app}-egress`, { podSelector: { matchLabels: { app } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 443 }] }] });
    const out = (endpoint: string, port: number): ObservedFlow => ({ endpoint, direction: 'egress', remote: '203.0.113.1', protocol: 6, port, count: 1 });
    // web-a and web-b share the would-be policy; batch has another that decides these packets alike.
    const flows = [out('shop/web-a', 80), out('shop/web-b', 80), out('shop/web-a', 443), out('shop/batch', 80), out('shop/web-b', 80)];
    const result = evaluateImpact(planImpact(replicas, policySet(), policySet(egressTo443('web'), egressTo443('batch'))), flows);
    expect(result.changes.map((change) => [change.flow.endpoint, change.flow.port, change.after, change.decidedBy?.policyId])).toEqual([
      ['shop/web-a', 80, 'deny', expect.stringContaining('web-egress')],
      ['shop/web-b', 80, 'deny', expect.stringContaining('web-egress')],
      ['shop/batch', 80, 'deny', expect.stringContaining('batch-egress')],
      ['shop/web-b', 80, 'deny', expect.stringContaining('web-egress')],
    ]);
    expect(result).toMatchObject({ evaluated: 5, unresolved: 0 });
  });

  it('stops between flows when told to', () => {
    let asked = 0;
    const result = evaluateImpact(planImpact(pods, policySet(dbFrom('web')), policySet(dbFrom('cache'))), [toDb('198.18.9.1'), toDb('198.18.9.20'), fromWeb], {
      shouldStop: () => ++asked > 1,
    });
    expect(result).toMatchObject({ evaluated: 1, changes: [expect.objectContaining({ after: 'deny' })] });
  });
});
