// Map keys and values defined once, as fixed binary structs shared by the program builder (field
// offsets for ldx/stx) and by user space (encode/decode to Buffer for map calls).
//
//   const LpmKey4 = defineLayout('lpm_key_v4', {
//     size: 8,
//     fields: [
//       { name: 'prefixlen', type: 'u32' },           // host order: the kernel reads it as a u32
//       { name: 'addr', type: 'bytes[4]' },            // network order, compared bit by bit
//     ],
//   });
//   LpmKey4.encode({ prefixlen: 24, addr: Buffer.from([198, 18, 0, 0]) });
//   LpmKey4.offsetOf('addr') // 4, for stx into a key built on the stack
//
// Checked at definition time, so a wrong layout fails when the module loads, not in the kernel:
// - offsets are C layout (next naturally aligned offset) unless given; given offsets must not
//   overlap the previous field and must be naturally aligned (unless `packed`), because programs
//   build keys on the stack with aligned loads/stores;
// - the declared `size` must equal the C size: end of the last field rounded up to the largest
//   alignment (no rounding when packed). A mismatch throws LAYOUT_INVALID.
// Encoding zero-fills every gap: hash maps compare keys as raw bytes, so garbage in padding would
// make equal keys differ.

import { BpfError } from '../errors.ts';

export type ScalarType = 'u8' | 'u16' | 'u32' | 'u64' | 'be16' | 'be32' | 'be64';
export type BytesType = `bytes[${number}]`;
export type FieldType = ScalarType | BytesType;

export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  readonly offset?: number;
}

type ValueOf<T extends FieldType> = T extends 'u64' | 'be64' ? bigint : T extends BytesType ? Uint8Array : number;

export type LayoutValues<F extends readonly FieldSpec[]> = {
  [K in F[number] as K['name']]: ValueOf<K['type']>;
};

export interface ResolvedField {
  readonly name: string;
  readonly type: FieldType;
  readonly offset: number;
  readonly size: number;
}

export interface Layout<F extends readonly FieldSpec[]> {
  readonly name: string;
  readonly size: number;
  readonly fields: readonly ResolvedField[];
  offsetOf(field: F[number]['name']): number;
  encode(values: LayoutValues<F>): Buffer;
  encodeInto(buf: Buffer, at: number, values: LayoutValues<F>): void;
  decode(buf: Uint8Array, at?: number): LayoutValues<F>;
}

const SCALAR_SIZE: Record<ScalarType, number> = { u8: 1, u16: 2, u32: 4, u64: 8, be16: 2, be32: 4, be64: 8 };

function fail(layout: string, message: string): never {
  throw new BpfError('LAYOUT_INVALID', `layout ${layout}: ${message}`);
}

function fieldSize(layout: string, field: FieldSpec): { size: number; align: number } {
  if (field.type in SCALAR_SIZE) {
    const size = SCALAR_SIZE[field.type as ScalarType];
    return { size, align: size };
  }
  const match = /^bytes\[(\d+)\]$/.exec(field.type);
  if (!match) fail(layout, `field ${field.name} has unknown type ${field.type}`);
  const size = Number(match[1]);
  if (size <= 0) fail(layout, `field ${field.name} must have at least one byte`);
  return { size, align: 1 };
}

export function defineLayout<const F extends readonly FieldSpec[]>(
  name: string,
  spec: { readonly size: number; readonly fields: F; readonly packed?: boolean },
): Layout<F> {
  const packed = spec.packed === true;
  const fields: ResolvedField[] = [];
  const names = new Set<string>();
  let end = 0;
  let maxAlign = 1;
  for (const field of spec.fields) {
    if (names.has(field.name)) fail(name, `field ${field.name} is declared twice`);
    names.add(field.name);
    const { size, align } = fieldSize(name, field);
    const natural = packed ? end : Math.ceil(end / align) * align;
    const offset = field.offset ?? natural;
    if (!Number.isInteger(offset) || offset < end) {
      fail(name, `field ${field.name} at offset ${offset} overlaps the previous field (ends at ${end})`);
    }
    if (!packed && offset % align !== 0) {
      fail(name, `field ${field.name} at offset ${offset} is not ${align}-byte aligned`);
    }
    fields.push(Object.freeze({ name: field.name, type: field.type, offset, size }));
    end = offset + size;
    maxAlign = Math.max(maxAlign, packed ? 1 : align);
  }
  const computed = Math.ceil(end / maxAlign) * maxAlign;
  if (spec.size !== computed) {
    fail(name, `declared size ${spec.size} but the fields need ${computed} bytes (last field ends at ${end})`);
  }
  const byName = new Map(fields.map((f) => [f.name, f]));
  const size = computed;

  const encodeInto = (buf: Buffer, at: number, values: LayoutValues<F>): void => {
    if (at < 0 || at + size > buf.length) fail(name, `no room for ${size} bytes at ${at}`);
    buf.fill(0, at, at + size);
    const record = values as Record<string, unknown>;
    // indexed: an iterator per call was most of what a 20,000-prefix classifier table allocated here
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      const value = record[f.name];
      if (value === undefined) fail(name, `missing value for field ${f.name}`);
      writeField(name, buf, at + f.offset, f, value);
    }
  };

  return Object.freeze({
    name,
    size,
    fields: Object.freeze(fields),
    offsetOf(field: string): number {
      const f = byName.get(field);
      if (!f) fail(name, `no field ${field}`);
      return f.offset;
    },
    encodeInto,
    encode(values: LayoutValues<F>): Buffer {
      const buf = Buffer.alloc(size);
      encodeInto(buf, 0, values);
      return buf;
    },
    decode(input: Uint8Array, at = 0): LayoutValues<F> {
      const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
      if (at < 0 || at + size > buf.length) fail(name, `need ${size} bytes at ${at}, have ${buf.length - at}`);
      const out: Record<string, unknown> = {};
      for (const f of fields) out[f.name] = readField(buf, at + f.offset, f);
      return out as LayoutValues<F>;
    },
  });
}

function checkNumber(layout: string, f: ResolvedField, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    fail(layout, `field ${f.name} (${f.type}) cannot hold ${String(value)}`);
  }
  return value;
}

function checkBigint(layout: string, f: ResolvedField, value: unknown): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > 0xffff_ffff_ffff_ffffn) {
    fail(layout, `field ${f.name} (${f.type}) needs a bigint in [0, 2^64), got ${String(value)}`);
  }
  return value;
}

function writeField(layout: string, buf: Buffer, at: number, f: ResolvedField, value: unknown): void {
  switch (f.type) {
    case 'u8':
      buf.writeUInt8(checkNumber(layout, f, value, 0xff), at);
      return;
    case 'u16':
      buf.writeUInt16LE(checkNumber(layout, f, value, 0xffff), at);
      return;
    case 'u32':
      buf.writeUInt32LE(checkNumber(layout, f, value, 0xffff_ffff), at);
      return;
    case 'u64':
      buf.writeBigUInt64LE(checkBigint(layout, f, value), at);
      return;
    case 'be16':
      buf.writeUInt16BE(checkNumber(layout, f, value, 0xffff), at);
      return;
    case 'be32':
      buf.writeUInt32BE(checkNumber(layout, f, value, 0xffff_ffff), at);
      return;
    case 'be64':
      buf.writeBigUInt64BE(checkBigint(layout, f, value), at);
      return;
    default: {
      if (!(value instanceof Uint8Array) || value.length !== f.size) {
        fail(layout, `field ${f.name} needs exactly ${f.size} bytes`);
      }
      buf.set(value, at);
    }
  }
}

function readField(buf: Buffer, at: number, f: ResolvedField): number | bigint | Uint8Array {
  switch (f.type) {
    case 'u8':
      return buf.readUInt8(at);
    case 'u16':
      return buf.readUInt16LE(at);
    case 'u32':
      return buf.readUInt32LE(at);
    case 'u64':
      return buf.readBigUInt64LE(at);
    case 'be16':
      return buf.readUInt16BE(at);
    case 'be32':
      return buf.readUInt32BE(at);
    case 'be64':
      return buf.readBigUInt64BE(at);
    default:
      return Buffer.from(buf.subarray(at, at + f.size));
  }
}
