// Calico's port syntax (numorstring.Port, docs "Ports"): an integer, a "first:last" range or a named
// port. A range or a name is a string; a string of digits is a single port, as PortFromString reads it.
import { z } from 'zod';
import { invalidValue } from '../../validation/field-errors.ts';
import { portNameErrors } from '../../validation/names.ts';
import { addIssue } from '../issues.ts';

export type CalicoPort = number | string;
export type ParsedCalicoPort = { first: number; last: number } | { name: string };

const PORT_RANGE = 'must be between 1 and 65535, inclusive';

function portNumber(text: string): number | null {
  return /^[0-9]{1,5}$/.test(text) ? Number(text) : null;
}

/** The port's meaning, or the reasons it is invalid. */
export function parseCalicoPort(port: CalicoPort): { ok: true; port: ParsedCalicoPort } | { ok: false; details: string[] } {
  if (typeof port === 'number') {
    return Number.isInteger(port) && port >= 1 && port <= 65535 ? { ok: true, port: { first: port, last: port } } : { ok: false, details: [PORT_RANGE] };
  }
  const single = portNumber(port);
  if (single !== null) return parseCalicoPort(single);
  if (port.includes(':')) {
    const parts = port.split(':');
    const first = portNumber(parts[0] ?? '');
    const last = portNumber(parts[1] ?? '');
    if (parts.length !== 2 || first === null || last === null) return { ok: false, details: ['a port range must be "first:last"'] };
    if (first < 1 || first > 65535 || last < 1 || last > 65535) return { ok: false, details: [PORT_RANGE] };
    if (first > last) return { ok: false, details: ['the first port of a range must not be greater than the last'] };
    return { ok: true, port: { first, last } };
  }
  const errors = portNameErrors(port);
  return errors.length === 0 ? { ok: true, port: { name: port } } : { ok: false, details: errors };
}

/** Calico's CRDs allow 50 entries in `ports` and in `notPorts`. */
export const CALICO_PORTS_MAX = 50;

export const calicoPortSchema = z
  .union([z.int(), z.string()], { error: (issue) => invalidValue(issue.input, 'must be a port number, a "first:last" range or a port name') })
  .superRefine((port, ctx) => {
    const parsed = parseCalicoPort(port);
    if (!parsed.ok) for (const detail of parsed.details) addIssue(ctx, [], invalidValue(port, detail));
  });
