// The last good bundle on disk: the JWS exactly as received (so it can be verified again on start,
// not trusted because it is on disk) and the revision it was applied as. One file, so the pair is
// replaced together; written atomically, so a crash mid-write leaves the previous one.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { StateErrorCode } from '../errors.ts';
import { writeFileAtomic } from './atomic-write.ts';

export const LAST_GOOD_FILE = 'last-good.json';

const recordSchema = z.strictObject({
  format: z.literal(1),
  revision: z.number().int().positive(),
  jws: z.string().min(1),
  appliedAt: z.iso.datetime(),
});
export type LastGoodRecord = z.infer<typeof recordSchema>;

export type LastGoodLoad =
  | { ok: true; record: LastGoodRecord | undefined }
  | { ok: false; code: Extract<StateErrorCode, 'STATE_UNREADABLE' | 'STATE_CORRUPT'>; message: string };

export class LastGoodStore {
  readonly path: string;

  constructor(stateDir: string) {
    this.path = join(stateDir, LAST_GOOD_FILE);
  }

  /** `record` undefined: the agent never applied a bundle here (first start on this node). */
  async load(): Promise<LastGoodLoad> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, record: undefined };
      return { ok: false, code: 'STATE_UNREADABLE', message: `cannot read ${this.path}: ${(error as Error).message}` };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { ok: false, code: 'STATE_CORRUPT', message: `${this.path} is not JSON` };
    }
    const parsed = recordSchema.safeParse(json);
    if (!parsed.success) return { ok: false, code: 'STATE_CORRUPT', message: `${this.path}: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
    return { ok: true, record: parsed.data };
  }

  async save(entry: { revision: number; jws: string; appliedAt: Date }): Promise<void> {
    const record: LastGoodRecord = { format: 1, revision: entry.revision, jws: entry.jws, appliedAt: entry.appliedAt.toISOString() };
    await writeFileAtomic(this.path, `${JSON.stringify(record)}\n`);
  }
}
