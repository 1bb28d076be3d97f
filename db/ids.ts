import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let sequence = 0;

/**
 * Random bytes for ids, drawn from the system's generator 256 ids at a time: each draw is a call into
 * OpenSSL (with a getpid of its own), and a policy write makes several ids. What is drawn is used once.
 */
const POOLED_IDS = 256;
const pool = Buffer.alloc(16 * POOLED_IDS);
let pooled = 0;

function randomIdBytes(): Buffer {
  if (pooled === 0) {
    randomFillSync(pool);
    pooled = POOLED_IDS;
  }
  pooled -= 1;
  return pool.subarray(pooled * 16, pooled * 16 + 16);
}

/**
 * UUIDv7 (RFC 9562): time-ordered, so ordering by id is ordering by creation and a cursor is just
 * the last id seen. Ids made in the same millisecond by this process stay in creation order: the
 * 12-bit rand_a field carries a counter (RFC 9562 section 6.2, method 1), started at a random point.
 */
export function newId(now = Date.now()): string {
  const bytes = randomIdBytes();
  if (now > lastMs) {
    lastMs = now;
    // The counter's random start: the bytes it is written over.
    sequence = bytes.readUInt16BE(6) & 0x7ff;
  } else {
    sequence += 1;
    // Counter exhausted within one millisecond: borrow the next one, keeping the order.
    if (sequence > 0xfff) {
      lastMs += 1;
      sequence = 0;
    }
  }
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id that is no UUID where only one can be: never from the database (its ids are uuid columns), so a bug upstream. */
class NotAUuid extends Error {
  readonly code = 'ID_NOT_A_UUID';
}

/**
 * `id` as an SQL string literal, once it is known to be a UUID: hex digits and dashes, so nothing else
 * can get into the statement. For the few statements that must have no parameters: with prepare: false,
 * postgres.js sends a parameterised statement in two round trips (it asks the server for the parameter
 * types first) and holds back the queries behind it meanwhile.
 */
export function uuidLiteral(id: string): string {
  if (!UUID.test(id)) throw new NotAUuid(`expected a UUID, not ${JSON.stringify(id)}`);
  return `'${id}'`;
}
