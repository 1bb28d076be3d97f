// AdminNetworkPolicyPort (network-policy-api v1alpha1): exactly one of portNumber {protocol, port},
// portRange {protocol, start, end} or namedPort. The protocol is TCP, UDP or SCTP and defaults to
// TCP; a range's start must be less than its end. A named port carries no protocol: it selects the
// container port of that name whatever its protocol, so it becomes one IR entry per protocol.
import { z } from 'zod';
import type { PortMatch } from '../../ir.ts';
import { invalidValue } from '../../validation/field-errors.ts';
import { portNameErrors } from '../../validation/names.ts';
import { addIssue } from '../issues.ts';
import { enumOf } from '../shared/enum.ts';
import { intBetween } from '../shared/numbers.ts';
import { checkExactlyOne } from './one-of.ts';

export const PORT_PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
const portNumberSchema = intBetween(1, 65535);

export const namedPortSchema = z.string().superRefine((name, ctx) => {
  for (const detail of portNameErrors(name)) addIssue(ctx, [], invalidValue(name, detail));
});

export const adminPortSchema = z
  .strictObject({
    portNumber: z.strictObject({ protocol: enumOf(PORT_PROTOCOLS).optional(), port: portNumberSchema }).optional(),
    portRange: z
      .strictObject({ protocol: enumOf(PORT_PROTOCOLS).optional(), start: portNumberSchema, end: portNumberSchema })
      .superRefine((range, ctx) => {
        if (range.start >= range.end) addIssue(ctx, ['end'], invalidValue(range.end, 'must be greater than `start`'));
      })
      .optional(),
    namedPort: namedPortSchema.optional(),
  })
  .superRefine((port, ctx) => checkExactlyOne(port, ['portNumber', 'portRange', 'namedPort'], ctx));
export type AdminPort = z.infer<typeof adminPortSchema>;

/** Every protocol a named port may be declared with. */
export function namedPortMatches(name: string): PortMatch[] {
  return PORT_PROTOCOLS.map((protocol) => ({ protocol, name }));
}

export function adminPortMatches(port: AdminPort): PortMatch[] {
  if (port.portNumber) return [{ protocol: port.portNumber.protocol ?? 'TCP', port: port.portNumber.port }];
  if (port.portRange) return [{ protocol: port.portRange.protocol ?? 'TCP', port: port.portRange.start, endPort: port.portRange.end }];
  return namedPortMatches(port.namedPort as string);
}
