// Calico's rule protocol (numorstring.Protocol): one of the names below or an IP protocol number
// 1-255 (0 is refused: "protocol number invalid"), as a number or a string of digits. Names are case
// sensitive, as Calico's validator regex ^(TCP|UDP|ICMP|ICMPv6|SCTP|UDPLite)$ is.
import { z } from 'zod';
import { PROTOCOL_NUMBERS, type Protocol } from '../../ir.ts';
import { invalidValue } from '../../validation/field-errors.ts';
import { addIssue } from '../issues.ts';

export const CALICO_PROTOCOL_NAMES = ['TCP', 'UDP', 'ICMP', 'ICMPv6', 'SCTP', 'UDPLite'] as const;
const NAMED_NUMBERS: Readonly<Record<(typeof CALICO_PROTOCOL_NAMES)[number], number>> = { ...PROTOCOL_NUMBERS, UDPLite: 136 };
const PROTOCOL_MESSAGE = `must be one of ${CALICO_PROTOCOL_NAMES.join(', ')} or an integer 1-255`;

export type CalicoProtocol = number | string;

/** The IP protocol number a valid Calico protocol stands for. */
export function calicoProtocolNumber(protocol: CalicoProtocol): number {
  if (typeof protocol === 'number') return protocol;
  if (/^[0-9]+$/.test(protocol)) return Number(protocol);
  return NAMED_NUMBERS[protocol as keyof typeof NAMED_NUMBERS];
}

export function isValidCalicoProtocol(protocol: CalicoProtocol): boolean {
  if (typeof protocol === 'string' && !/^[0-9]+$/.test(protocol)) return (CALICO_PROTOCOL_NAMES as readonly string[]).includes(protocol);
  const number = calicoProtocolNumber(protocol);
  return Number.isInteger(number) && number >= 1 && number <= 255;
}

export const calicoProtocolSchema = z
  .union([z.int(), z.string()], { error: (issue) => invalidValue(issue.input, PROTOCOL_MESSAGE) })
  .superRefine((protocol, ctx) => {
    if (!isValidCalicoProtocol(protocol)) addIssue(ctx, [], invalidValue(protocol, PROTOCOL_MESSAGE));
  });

const IR_NAMES = new Map(Object.entries(PROTOCOL_NUMBERS).map(([name, number]) => [number, name as Protocol]));

/** The IR's spelling: a name where the IR has one (6 and "TCP" alike), else the number. */
export function irProtocol(protocol: CalicoProtocol): { name: Protocol } | { number: number } {
  const number = calicoProtocolNumber(protocol);
  const name = IR_NAMES.get(number);
  return name ? { name } : { number };
}

/** numorstring.Protocol.SupportsPorts: only TCP, UDP and SCTP have ports (UDPLite does not, in Calico). */
export function supportsPorts(protocol: CalicoProtocol | undefined): boolean {
  if (protocol === undefined || !isValidCalicoProtocol(protocol)) return false;
  const number = calicoProtocolNumber(protocol);
  return number === 6 || number === 17 || number === 132;
}

export function isIcmp(protocol: CalicoProtocol | undefined): 4 | 6 | null {
  if (protocol === undefined || !isValidCalicoProtocol(protocol)) return null;
  const number = calicoProtocolNumber(protocol);
  return number === 1 ? 4 : number === 58 ? 6 : null;
}
