// ClusterNetworkPolicyProtocol (network-policy-api apis/v1alpha2): exactly one of tcp, udp, sctp
// (each with its required destinationPort) or destinationNamedPort. A destinationPort is exactly one
// of `number` (1-65535) or `range` {start, end} with start < end ("Start port must be less than End
// port"). A named port has no protocol: one IR entry per protocol, as for v1alpha1.
import { z } from 'zod';
import type { PortMatch, Protocol } from '../../ir.ts';
import { invalidValue } from '../../validation/field-errors.ts';
import { addIssue } from '../issues.ts';
import { intBetween } from '../shared/numbers.ts';
import { checkExactlyOne } from './one-of.ts';
import { namedPortMatches, namedPortSchema } from './ports-v1alpha1.ts';

const portNumberSchema = intBetween(1, 65535);

export const cnpPortSchema = z
  .strictObject({
    number: portNumberSchema.optional(),
    range: z
      .strictObject({ start: portNumberSchema, end: portNumberSchema })
      .superRefine((range, ctx) => {
        if (range.start >= range.end) addIssue(ctx, ['end'], invalidValue(range.end, 'must be greater than `start`'));
      })
      .optional(),
  })
  .superRefine((port, ctx) => checkExactlyOne(port, ['number', 'range'], ctx));

const protocolMatchSchema = z.strictObject({ destinationPort: cnpPortSchema });

export const cnpProtocolSchema = z
  .strictObject({
    tcp: protocolMatchSchema.optional(),
    udp: protocolMatchSchema.optional(),
    sctp: protocolMatchSchema.optional(),
    destinationNamedPort: namedPortSchema.optional(),
  })
  .superRefine((protocol, ctx) => checkExactlyOne(protocol, ['tcp', 'udp', 'sctp', 'destinationNamedPort'], ctx));
export type CnpProtocol = z.infer<typeof cnpProtocolSchema>;

const IR_PROTOCOL = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' } as const satisfies Record<string, Protocol>;

export function cnpPortMatches(protocol: CnpProtocol): PortMatch[] {
  if (protocol.destinationNamedPort !== undefined) return namedPortMatches(protocol.destinationNamedPort);
  for (const key of ['tcp', 'udp', 'sctp'] as const) {
    const match = protocol[key];
    if (!match) continue;
    const { number, range } = match.destinationPort;
    if (range) return [{ protocol: IR_PROTOCOL[key], port: range.start, endPort: range.end }];
    return [{ protocol: IR_PROTOCOL[key], port: number as number }];
  }
  throw new Error('invariant: a ClusterNetworkPolicy protocol passed validation with no field set');
}
