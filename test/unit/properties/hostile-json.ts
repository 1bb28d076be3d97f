// Arbitraries for hostile input: strings a user (or an attacker) can put in a JSON body, JSON values
// built from them as JSON.parse builds them, and mutations of a valid object (a subtree replaced,
// a string made hostile, a known field added where it does not belong, a field dropped, a subtree
// nested far too deep). The property suites feed these to the pure core.
import fc from 'fast-check';

/** One code unit Postgres cannot store as written, or that trips careless code. */
const hostileUnit = fc.oneof(
  fc.constantFrom('\u0000', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uFFFD', '\uFEFF', '\u202E', '\n', '"', "'", '\\', '/', '.', '-', '*'),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)),
);

/**
 * Any code point, and text that is tricky in Unicode (combining marks, joiners, case-mapping
 * surprises). fast-check's own 'binary' and 'grapheme' units build tables costing seconds per run.
 */
const anyCodePoint = fc.integer({ min: 0, max: 0x10ffff }).map((point) => (point >= 0xd800 && point <= 0xdfff ? '\uFFFD' : String.fromCodePoint(point)));
const trickyUnicode = fc.constantFrom(
  'é',
  'e\u0301',
  '名前',
  '\u{1F600}',
  '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}',
  'ß',
  'İ',
  'ﬁ',
  '\u200B',
  '\u00A0',
  'Ω',
  'Ａ',
);

/** Text in every shape that matters: empty, plain, unicode, control characters, lone surrogates, very long. */
export function hostileString(vocabulary: readonly string[] = []): fc.Arbitrary<string> {
  const words = [
    '',
    ' ',
    '0',
    '-1',
    '1e400',
    'NaN',
    'null',
    'true',
    '__proto__',
    'constructor',
    'toString',
    'all()',
    'global()',
    '10.0.0.0/8',
    '::/0',
    ...vocabulary,
  ];
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...words) },
    { weight: 2, arbitrary: fc.string({ unit: fc.oneof(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }), hostileUnit) }) },
    { weight: 1, arbitrary: fc.string({ unit: anyCodePoint }) },
    { weight: 1, arbitrary: fc.string({ unit: trickyUnicode }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('a', 'é', '\u{1F600}', '\u0000', '\uD800'), fc.integer({ min: 64, max: 100_000 }))
        .map(([unit, count]) => unit.repeat(count)),
    },
  );
}

/** Numbers JSON can carry, with the edges that break integer and range checks. */
const hostileNumber = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 0.5, 65535, 65536, 2 ** 31, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e308, -1e308, Number.MIN_VALUE),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Objects as JSON.parse makes them: own properties only, so "__proto__" is a field, not a prototype. */
function jsonObject<T>(key: fc.Arbitrary<string>, value: fc.Arbitrary<T>): fc.Arbitrary<Record<string, T>> {
  return fc.array(fc.tuple(key, value), { maxLength: 5 }).map((entries) => Object.fromEntries(entries));
}

/** Any JSON value whose strings and keys are hostile; `vocabulary` seeds keys and strings with words the schema knows. */
export function hostileJson(vocabulary: readonly string[] = []): fc.Arbitrary<unknown> {
  const text = hostileString(vocabulary);
  const { json } = fc.letrec<{ json: unknown }>((tie) => ({
    json: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      hostileNumber,
      text,
      fc.array(tie('json'), { maxLength: 5 }),
      jsonObject(text, tie('json')),
    ),
  }));
  return json;
}

/** `depth` arrays or objects inside each other: deeper than any recursive walk should be asked to go. */
export function deeplyNested(depth: number, shape: 'array' | 'object'): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = shape === 'array' ? [value] : { a: value };
  return value;
}

type Path = (string | number)[];

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return value !== null && typeof value === 'object';
}

/** Deeper than any field a kind defines; below it, a mutation has already nested the value on purpose. */
const MUTABLE_DEPTH = 16;

/** Every leaf (string, number, boolean, null) of a JSON value, in document order. */
export function leavesOf(value: unknown): unknown[] {
  return pathsOf(value)
    .map((path) => valueAt(value, path))
    .filter((leaf) => !isContainer(leaf));
}

/** Every path in a JSON value down to MUTABLE_DEPTH, the root's ([]) first, in document order. */
function pathsOf(value: unknown, path: Path = []): Path[] {
  if (!isContainer(value) || path.length >= MUTABLE_DEPTH) return [path];
  const children = Array.isArray(value)
    ? value.map((item, i) => pathsOf(item, [...path, i]))
    : Object.entries(value).map(([key, field]) => pathsOf(field, [...path, key]));
  return [path, ...children.flat()];
}

/** A copy of `root` with the value at `path` replaced (or, with `undefined`, the field removed). */
function setAt(root: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  if (!isContainer(root)) return root;
  const [head, ...rest] = path;
  const removing = rest.length === 0 && replacement === undefined;
  if (Array.isArray(root)) {
    const index = Number(head);
    const copy = [...root];
    if (removing) copy.splice(index, 1);
    else copy[index] = setAt(root[index], rest, replacement);
    return copy;
  }
  const key = String(head);
  const entries = Object.entries(root);
  if (removing) return Object.fromEntries(entries.filter(([k]) => k !== key));
  const replaced = setAt(ownField(root, key), rest, replacement);
  return Object.fromEntries(Object.hasOwn(root, key) ? entries.map(([k, v]) => [k, k === key ? replaced : v]) : [...entries, [key, replaced]]);
}

/** Own fields only: "__proto__" or "constructor" of an object without them is absent, not the prototype's. */
function ownField(value: Record<string, unknown> | unknown[], key: string | number): unknown {
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[String(key)] : undefined;
}

function valueAt(root: unknown, path: Path): unknown {
  return path.reduce<unknown>((value, key) => (isContainer(value) ? ownField(value, key) : undefined), root);
}

/** One change to a valid object; `at` picks the path (modulo how many there are), so shrinking stays meaningful. */
export type Mutation =
  | { type: 'replace'; at: number; value: unknown }
  | { type: 'hostileString'; at: number; value: string }
  | { type: 'addField'; at: number; field: string; value: unknown }
  | { type: 'drop'; at: number }
  | { type: 'nest'; at: number; depth: number; shape: 'array' | 'object' };

export function applyMutation(root: unknown, mutation: Mutation): unknown {
  const paths = pathsOf(root);
  const path = paths[mutation.at % paths.length] ?? [];
  switch (mutation.type) {
    case 'replace':
      return setAt(root, path, mutation.value);
    case 'hostileString': {
      const strings = paths.filter((p) => typeof valueAt(root, p) === 'string');
      return strings.length === 0 ? root : setAt(root, strings[mutation.at % strings.length] ?? [], mutation.value);
    }
    case 'addField': {
      const objects = paths.filter((p) => {
        const value = valueAt(root, p);
        return isContainer(value) && !Array.isArray(value);
      });
      const target = objects[mutation.at % objects.length] ?? [];
      return setAt(root, [...target, mutation.field], mutation.value);
    }
    case 'drop':
      return path.length === 0 ? root : setAt(root, path, undefined);
    case 'nest':
      return setAt(root, path, deeplyNested(mutation.depth, mutation.shape));
  }
}

/**
 * Mutations whose new fields and strings come from `vocabulary` (field names and enum values the
 * schemas know) as often as not, and whose new values are as often `knownValues` (leaves of valid
 * objects: ports, CIDRs, selectors) moved elsewhere, so many mutants are still nearly valid.
 */
export function mutation(vocabulary: readonly string[], knownValues: readonly unknown[]): fc.Arbitrary<Mutation> {
  const at = fc.nat();
  const json = fc.oneof(hostileJson(vocabulary), fc.constantFrom(...knownValues));
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ type: fc.constant('replace' as const), at, value: json }) },
    { weight: 3, arbitrary: fc.record({ type: fc.constant('hostileString' as const), at, value: hostileString(vocabulary) }) },
    {
      weight: 3,
      arbitrary: fc.record({ type: fc.constant('addField' as const), at, field: fc.oneof(fc.constantFrom(...vocabulary), hostileString()), value: json }),
    },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('drop' as const), at }) },
    {
      weight: 1,
      arbitrary: fc.record({
        type: fc.constant('nest' as const),
        at,
        depth: fc.constantFrom(60, 70, 10_000),
        shape: fc.constantFrom('array' as const, 'object' as const),
      }),
    },
  );
}
