// A fast yes for a value a zod schema accepts, read from the schema itself, so zod stays the one
// source of what is valid (issue 13 item 5: a 10,000-rule bundle's first zod parse in a fresh agent
// took 150-250 ms, most of it allocation: zod builds a result and an issue list for every node, tries
// every branch of a union, and copies the whole value).
//
// The acceptor walks the value beside the schema's definition (strict objects, arrays, unions,
// lazies, optionals, nullables, enums, literals, strings, numbers, booleans) and builds nothing. A
// leaf that carries checks (a uuid, a date-time, a number's bounds) or a record is asked of zod itself,
// value by value, so no check is re-implemented here. Its answer is only ever used as a yes: on a no
// (or on input so deep the walk overflows the stack) the caller runs zod's own parse, which decides
// and says why (parseWithFastAccept). A yes is exact only for schemas whose output equals their input
// (nothing transforms, defaults or strips), so acceptorOf refuses to build one for anything else and
// the caller stays on zod alone; test/unit/policy/fast-accept.test.ts checks that the acceptor says
// yes exactly when zod does over generated bundles and their mutations.
import type { z } from 'zod';

type Acceptor = (value: unknown) => boolean;

/** What zod keeps on every schema; the parts of it read here. */
interface ZodInternals {
  def: {
    type: string;
    checks?: unknown[];
    coerce?: boolean;
    format?: string;
    shape?: Record<string, z.ZodType>;
    catchall?: z.ZodType;
    element?: z.ZodType;
    options?: z.ZodType[];
    innerType?: z.ZodType;
    entries?: Record<string, unknown>;
    values?: unknown[];
  };
  innerType?: z.ZodType;
  optin?: string;
  optout?: string;
  run(payload: { value: unknown; issues: unknown[] }, ctx: object): { issues: unknown[] } | Promise<unknown>;
}

const internals = (schema: z.ZodType): ZodInternals => (schema as unknown as { _zod: ZodInternals })._zod;

/** Schemas whose parse returns their input unchanged when it accepts: what a yes may stand for. */
const NON_TRANSFORMING_LEAVES = new Set(['string', 'number', 'boolean', 'enum', 'literal', 'null']);

/** Checks that only judge (an overwrite like trim() changes the value, a refinement runs the author's code). */
const JUDGING_CHECKS = new Set(['string_format', 'number_format', 'greater_than', 'less_than', 'min_length', 'max_length', 'length_equals', 'multiple_of']);
const isNonTransformingCheck = (check: unknown) => JUDGING_CHECKS.has((check as { _zod: { def: { check: string } } })._zod.def.check);

export class UnsupportedSchemaError extends Error {}

/** zod's own verdict on one value, for the leaves whose checks are zod's to run. */
function byZod(schema: z.ZodType): Acceptor {
  const zod = internals(schema);
  return (value) => {
    const result = zod.run({ value, issues: [] }, {});
    return !(result instanceof Promise) && result.issues.length === 0;
  };
}

/** An object field's key absent: accepted only where zod accepts absence without asking the field. */
const plainlyOptional = (schema: z.ZodType) => internals(schema).optin === 'optional' && internals(schema).optout === 'optional';

function build(schema: z.ZodType, built: Map<z.ZodType, Acceptor>): Acceptor {
  const known = built.get(schema);
  if (known) return known;
  // Recursive schemas (selectors) reach themselves again: the slot is filled before the walk goes down.
  let target: Acceptor = () => false;
  const forward: Acceptor = (value) => target(value);
  built.set(schema, forward);
  target = buildNode(schema, built);
  return target;
}

function buildNode(schema: z.ZodType, built: Map<z.ZodType, Acceptor>): Acceptor {
  const zod = internals(schema);
  const { def } = zod;
  const checked = (def.checks?.length ?? 0) > 0;
  if (checked && !def.checks!.every(isNonTransformingCheck)) throw new UnsupportedSchemaError(`a ${def.type} whose checks may change it`);
  if (NON_TRANSFORMING_LEAVES.has(def.type)) {
    // A string format (uuid, date-time) is a check the schema carries as itself, and coercion changes the value.
    if (def.coerce || def.format !== undefined) return byZod(schema);
    if (def.type === 'number' && checked) return numberAcceptor(def.checks!) ?? byZod(schema);
    if (checked) return byZod(schema);
    switch (def.type) {
      case 'string':
        return (value) => typeof value === 'string';
      case 'number':
        return (value) => typeof value === 'number' && Number.isFinite(value);
      case 'boolean':
        return (value) => typeof value === 'boolean';
      case 'null':
        return (value) => value === null;
      default: {
        const values = new Set(def.type === 'enum' ? Object.values(def.entries ?? {}) : def.values);
        return (value) => values.has(value);
      }
    }
  }
  // zod's record checks keys and values its own way (plain objects only, key schemas): asked of zod.
  if (def.type === 'record' && !checked) return byZod(schema);
  if (checked) throw new UnsupportedSchemaError(`a ${def.type} with checks`);
  switch (def.type) {
    case 'optional': {
      const inner = build(def.innerType!, built);
      return (value) => value === undefined || inner(value);
    }
    case 'nullable': {
      const inner = build(def.innerType!, built);
      return (value) => value === null || inner(value);
    }
    case 'lazy':
      return build(zod.innerType!, built);
    case 'array': {
      const element = build(def.element!, built);
      // by index, as zod reads it: every() would skip the holes of a sparse array, which zod refuses
      return (value) => {
        if (!Array.isArray(value)) return false;
        for (let i = 0; i < value.length; i++) if (!element(value[i])) return false;
        return true;
      };
    }
    case 'union': {
      const options = def.options!.map((option) => build(option, built));
      return (value) => options.some((option) => option(value));
    }
    case 'object':
      return objectAcceptor(def.shape!, def.catchall, built);
    default:
      throw new UnsupportedSchemaError(`a ${def.type}`);
  }
}

interface NumberCheckDef {
  check?: string;
  format?: string;
  value?: unknown;
  inclusive?: boolean;
  when?: unknown;
}

/**
 * A number with integer and bound checks (ports, ICMP types, rates: every rule has some), answered here
 * because asking zod for each costs a result object per number; any other check is zod's (undefined).
 */
function numberAcceptor(checks: unknown[]): Acceptor | undefined {
  const tests: ((n: number) => boolean)[] = [];
  for (const check of checks) {
    const def = (check as { _zod: { def: NumberCheckDef } })._zod.def;
    if (def.when !== undefined) return undefined;
    if (def.check === 'number_format' && def.format === 'safeint') tests.push(Number.isSafeInteger);
    else if (def.check === 'greater_than' && typeof def.value === 'number') {
      const bound = def.value;
      tests.push(def.inclusive ? (n) => n >= bound : (n) => n > bound);
    } else if (def.check === 'less_than' && typeof def.value === 'number') {
      const bound = def.value;
      tests.push(def.inclusive ? (n) => n <= bound : (n) => n < bound);
    } else return undefined;
  }
  return (value) => typeof value === 'number' && Number.isFinite(value) && tests.every((test) => test(value));
}

/**
 * A strict object (unknown keys refused), as zod's object parse and its catch-all decide, walked by the
 * keys the value has rather than by the shape's (a rule has a dozen optional fields and uses a few).
 * Only a plain object is answered (its prototype Object.prototype, as JSON.parse makes them), so the
 * keys `for...in` yields are the ones zod's `in` test finds present; anything else is zod's to decide.
 */
function objectAcceptor(shape: Record<string, z.ZodType>, catchall: z.ZodType | undefined, built: Map<z.ZodType, Acceptor>): Acceptor {
  if (!catchall || internals(catchall).def.type !== 'never') throw new UnsupportedSchemaError('an object that is not strict');
  const fields = new Map<string, Acceptor>();
  const requiredKeys = new Set<string>();
  for (const key of Object.keys(shape)) {
    // zod tests presence with `in`, which finds Object.prototype's own names on every object
    if (key in Object.prototype) throw new UnsupportedSchemaError(`a field named ${key}`);
    fields.set(key, build(shape[key]!, built));
    if (!plainlyOptional(shape[key]!)) requiredKeys.add(key);
  }
  const required = requiredKeys.size;
  return (value) => {
    if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return false;
    const object = value as Record<string, unknown>;
    let requiredSeen = 0;
    for (const key in object) {
      const accept = fields.get(key);
      if (accept === undefined || !accept(object[key])) return false;
      if (required > 0 && requiredKeys.has(key)) requiredSeen++;
    }
    return requiredSeen === required;
  };
}

/** A yes-only acceptor for `schema`; throws UnsupportedSchemaError for a schema it cannot answer for exactly. */
export function acceptorOf(schema: z.ZodType): Acceptor {
  return build(schema, new Map());
}

/**
 * `schema.safeParse(value)`, answered without zod's parse when the acceptor says yes (the value is its
 * own output then: a schema acceptorOf takes returns what it accepts unchanged). Built on first use;
 * a schema it cannot take is parsed by zod alone.
 */
export function parseWithFastAccept<S extends z.ZodType>(schema: S): (value: unknown) => z.ZodSafeParseResult<z.output<S>> {
  let accept: Acceptor | undefined;
  return (value) => {
    accept ??= (() => {
      try {
        return acceptorOf(schema);
      } catch (error) {
        if (error instanceof UnsupportedSchemaError) return () => false;
        throw error;
      }
    })();
    let accepted = false;
    try {
      accepted = accept(value);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error; // nested deeper than the stack: zod decides
    }
    return accepted ? { success: true, data: value as z.output<S> } : schema.safeParse(value);
  };
}
