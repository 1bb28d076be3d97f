// Canonical JSON (the RFC 8785 idea, for the values we emit): object keys sorted by code unit, no
// whitespace, numbers in ECMAScript's shortest form. The same policy always yields the same bytes, so
// content hashes and signatures are stable across processes and versions.
//
// Encoded by the engine's own JSON.stringify, handed each object with its keys in sorted order: a
// bundle of 1.6 MB of policy is encoded in a third of the CPU that a string built member by member
// took, most of it garbage (issue 10: the bundle builder's CPU shares the machine with the API).
// Object keys that read as array indices are the one case JSON.stringify would reorder (an object
// lists them first, in numeric order); an object holding one is encoded member by member instead.

/** Keys an object lists first, in numeric order, whatever order they were added in. */
const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;

class IndexLikeKey extends Error {}

function nonJson(what: string): TypeError {
  return new TypeError(`canonical JSON cannot hold a ${what}`);
}

function sortedMembers(this: unknown, _key: string, value: unknown): unknown {
  switch (typeof value) {
    case 'object': {
      if (value === null || Array.isArray(value)) return value;
      const record = value as Record<string, unknown>;
      // Array.prototype.sort without a comparator orders strings by UTF-16 code unit, as required.
      const keys = Object.keys(record).sort();
      // No prototype, so a member named __proto__ is a member like any other.
      const sorted: Record<string, unknown> = Object.create(null);
      for (const key of keys) {
        if (ARRAY_INDEX.test(key)) throw new IndexLikeKey();
        sorted[key] = record[key];
      }
      return sorted;
    }
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON cannot hold a non-finite number');
      return value;
    case 'string':
    case 'boolean':
      return value;
    case 'undefined':
      // A member left undefined is left out; an array has no such thing as a missing element.
      if (Array.isArray(this)) throw nonJson('undefined');
      return value;
    default:
      throw nonJson(typeof value);
  }
}

export function canonicalJson(value: unknown): string {
  if (value === undefined) throw nonJson('undefined');
  try {
    return JSON.stringify(value, sortedMembers);
  } catch (error) {
    if (error instanceof IndexLikeKey) return memberByMember(value);
    throw error;
  }
}

/** The encoding written out: for values holding an object with index-like keys. */
function memberByMember(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON cannot hold a non-finite number');
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + memberByMember(value[i]);
        return `${out}]`;
      }
      const record = value as Record<string, unknown>;
      return canonicalObject(record, (member) => memberByMember(member));
    }
    default:
      throw nonJson(typeof value);
  }
}

/**
 * An object's canonical text with each member's value encoded by `encode`: members sorted by UTF-16
 * code unit (Array.prototype.sort without a comparator), undefined ones left out.
 */
export function canonicalObject(record: Record<string, unknown>, encode: (value: unknown, key: string) => string): string {
  let out = '{';
  for (const key of Object.keys(record).sort()) {
    const member = record[key];
    if (member === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${encode(member, key)}`;
  }
  return `${out}}`;
}
