// Calico's ICMPFields: type 0-254 and code 0-255, and a code only with a type ("ICMP code specified
// without an ICMP type": the kernel matches a code only within a type).
import { z } from 'zod';
import { forbidden } from '../../validation/field-errors.ts';
import { addIssue } from '../issues.ts';
import { intBetween } from '../shared/numbers.ts';

export const calicoIcmpSchema = z
  .strictObject({
    type: intBetween(0, 254).optional(),
    code: intBetween(0, 255).optional(),
  })
  .superRefine((icmp, ctx) => {
    if (icmp.code !== undefined && icmp.type === undefined) addIssue(ctx, ['code'], forbidden('may not be specified without `type`'));
  });
export type CalicoIcmp = z.infer<typeof calicoIcmpSchema>;
