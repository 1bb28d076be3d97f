// Match terms a policy asks for as written: peers (an IP block's excepts included) times ports per
// rule, summed per direction, the larger direction reported.
import { describe, expect, it } from 'vitest';
import type { Peer, PortMatch, Rule } from '../../../policy/ir.ts';
import { writtenTermsOf } from '../../../policy/plan/written-terms.ts';

const block = (cidr: string, except: string[] = []): Peer => ({ ipBlock: { cidr, except } });
const port = (n: number): PortMatch => ({ protocol: 'TCP', port: n });
const rule = (peers: Peer[], ports: PortMatch[]): Rule => ({ action: 'Allow', peers, ports });

describe('writtenTermsOf', () => {
  it('counts peers times ports per rule, an empty list as one', () => {
    expect(writtenTermsOf({ ingress: [rule([], [])], egress: [] })).toEqual({ direction: 'ingress', terms: 1 });
    expect(writtenTermsOf({ ingress: [rule([block('10.0.0.0/8'), block('10.1.0.0/16')], [port(80), port(443), port(8080)])], egress: [] }).terms).toBe(6);
  });

  it('counts each except of an IP block, and sums the rules of a direction', () => {
    const ingress = [rule([block('10.0.0.0/8', ['10.1.0.0/16', '10.2.0.0/16'])], [port(80)]), rule([], [port(1), port(2)])];
    expect(writtenTermsOf({ ingress, egress: [] }).terms).toBe(3 + 2);
  });

  it('reports the larger direction', () => {
    const wide = rule(
      Array.from({ length: 100 }, (_, i) => block(`10.0.${i}.0/24`)),
      [port(80), port(443)],
    );
    expect(writtenTermsOf({ ingress: [rule([], [])], egress: [wide] })).toEqual({ direction: 'egress', terms: 200 });
  });
});
