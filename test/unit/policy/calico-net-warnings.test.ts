// Calico's `nets: ["1.2.3.4/16"]` (its docs' own example): accepted as the network, as Calico's rule
// conversion masks it, with a warning naming the field and the network it was read as. Nets written
// as networks warn about nothing; other CIDR mistakes are still refused.
import { describe, expect, it } from 'vitest';
import { parseObject, parsePolicyObject } from '../../../policy/kinds/index.ts';
import { calicoIngressRule, globalNetworkSet, globalPolicy, networkSet } from './factories-calico.ts';
import { expectIssue } from './parse-helpers.ts';

function accepted(object: unknown) {
  const result = parsePolicyObject(object);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result;
}

describe('rule nets with host bits', () => {
  it('are read as their network, with a warning at the field', () => {
    const result = accepted(calicoIngressRule({ source: { nets: ['10.1.2.3/16', '10.9.0.0/16'] }, destination: { notNets: ['10.1.2.3/24'] } }));
    expect(result.ir.ingress[0]!.peers).toEqual([{ ipBlock: { cidr: '10.1.0.0/16', except: [] } }, { ipBlock: { cidr: '10.9.0.0/16', except: [] } }]);
    expect(result.warnings).toEqual([
      { path: ['spec', 'ingress', 0, 'source', 'nets', 0], message: '"10.1.2.3/16" has bits set after the prefix length: read as the network 10.1.0.0/16' },
      {
        path: ['spec', 'ingress', 0, 'destination', 'notNets', 0],
        message: '"10.1.2.3/24" has bits set after the prefix length: read as the network 10.1.2.0/24',
      },
    ]);
  });

  it('warn in global policies too; written networks and bare addresses warn about nothing', () => {
    const global = accepted(globalPolicy({ selector: 'all()', egress: [{ action: 'Deny', destination: { nets: ['1.2.3.4/16'] } }] }));
    expect(global.warnings.map((w) => w.path.join('.'))).toEqual(['spec.egress.0.destination.nets.0']);
    const v6 = accepted(globalPolicy({ selector: 'all()', egress: [{ action: 'Deny', destination: { nets: ['2001:db8::1/32'] } }] }));
    expect(v6.warnings.map((w) => w.message)).toEqual(['"2001:db8::1/32" has bits set after the prefix length: read as the network 2001:db8::/32']);
    expect(accepted(calicoIngressRule({ source: { nets: ['10.0.0.0/8', '10.0.0.1'] } })).warnings).toEqual([]);
  });

  it('other CIDR mistakes are still refused', () => {
    expectIssue(calicoIngressRule({ source: { nets: ['10.0.0.1/33'] } }), ['spec', 'ingress', 0, 'source', 'nets', 0], /Invalid value/);
  });
});

describe('network set nets with host bits', () => {
  it('are read as their network, with a warning at the field', () => {
    for (const object of [networkSet({ nets: ['192.0.2.7/24'] }), globalNetworkSet({ nets: ['192.0.2.7/24'] })]) {
      const result = parseObject(object);
      if (!result.ok) throw new Error(JSON.stringify(result.issues));
      expect(result.resource).toMatchObject({ type: 'networkSet', networkSet: { nets: ['192.0.2.0/24'] } });
      expect(result.warnings).toEqual([
        { path: ['spec', 'nets', 0], message: '"192.0.2.7/24" has bits set after the prefix length: read as the network 192.0.2.0/24' },
      ]);
    }
  });
});
