import { describe, expect, it } from 'vitest';
import { parseObject } from '../../../policy/kinds/index.ts';
import { expectIssue, expectValid, storedOf } from './parse-helpers.ts';

const hostEndpoint = (spec: Record<string, unknown>, labels: Record<string, string> = { role: 'edge' }) => ({
  apiVersion: 'projectcalico.org/v3',
  kind: 'HostEndpoint',
  metadata: { name: 'node-1-eth0', labels },
  spec,
});

describe('HostEndpoint', () => {
  it('names an interface or its expected IPs, on a node', () => {
    expectValid(hostEndpoint({ node: 'node-1', interfaceName: 'eth0' }));
    expectValid(hostEndpoint({ node: 'node-1', expectedIPs: ['192.0.2.10'] }));
    expectIssue(hostEndpoint({ node: 'node-1' }), ['spec', 'interfaceName'], /no interfaceName or expectedIPs have been specified/);
    expectIssue(hostEndpoint({ interfaceName: 'eth0' }), ['spec', 'node'], /Required value/);
    expectIssue(hostEndpoint({ node: 'Node_1', interfaceName: 'eth0' }), ['spec', 'node'], /Invalid value: "Node_1"/);
    expectIssue(hostEndpoint({ node: 'node-1', interfaceName: 'a-name-longer-than-15' }), ['spec', 'interfaceName'], /must be an interface name/);
    expectIssue(hostEndpoint({ node: 'node-1', expectedIPs: ['192.0.2.300'] }), ['spec', 'expectedIPs', 0], /must be a valid IP address/);
  });

  it('refuses what only tracked host policy would use, saying why', () => {
    expectIssue(hostEndpoint({ node: 'node-1', interfaceName: '*' }), ['spec', 'interfaceName'], /"\*" \(all interfaces\) is not supported/);
    expectIssue(hostEndpoint({ node: 'node-1', interfaceName: 'eth0', profiles: ['default'] }), ['spec', 'profiles'], /profiles are not supported/);
    expectIssue(
      hostEndpoint({ node: 'node-1', interfaceName: 'eth0', ports: [{ name: 'ssh', port: 22, protocol: 'TCP' }] }),
      ['spec', 'ports'],
      /named ports of host endpoints are not supported/,
    );
  });

  it('is stored as written and carries its labels and canonical addresses into the IR', () => {
    const object = hostEndpoint({ node: 'node-1', interfaceName: 'eth0', expectedIPs: ['2001:db8:0:0::1', '192.0.2.10'], profiles: [] });
    expect(storedOf(object).spec).toEqual({ node: 'node-1', interfaceName: 'eth0', expectedIPs: ['2001:db8:0:0::1', '192.0.2.10'] });
    const parsed = parseObject(object);
    expect(parsed.ok && parsed.resource).toEqual({
      type: 'hostEndpoint',
      hostEndpoint: {
        id: 'HostEndpoint/node-1-eth0',
        name: 'node-1-eth0',
        node: 'node-1',
        interfaceName: 'eth0',
        expectedIPs: ['192.0.2.10', '2001:db8::1'],
        labels: { role: 'edge' },
      },
    });
  });
});
