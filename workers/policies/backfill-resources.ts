// Policy rows written before the `resource` column existed (migration 0011) carry only their manifest.
// This pass, run once when workers start, parses each of those once and stores its IR, so neither the
// write path nor the bundle builder parses it again. Runs as the owner across tenants, a batch at a
// time; a manifest that no longer validates is left as it is (the builder reports it).
import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../../db/index.ts';
import { policies } from '../../db/schema/index.ts';
import { parseObject } from '../../policy/kinds/index.ts';

const BATCH = 200;

/** Returns how many rows it filled. */
export async function backfillPolicyResources(db: Db): Promise<number> {
  let filled = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await db
      .select({ id: policies.id, manifest: policies.manifest })
      .from(policies)
      .where(and(isNull(policies.resource), gt(policies.id, after)))
      .orderBy(asc(policies.id))
      .limit(BATCH);
    for (const row of rows) {
      const parsed = parseObject(row.manifest);
      if (!parsed.ok) continue;
      // A row rewritten meanwhile carries its own IR: the null check leaves it alone.
      await db
        .update(policies)
        .set({ resource: parsed.resource })
        .where(and(eq(policies.id, row.id), isNull(policies.resource)));
      filled += 1;
    }
    if (rows.length < BATCH) return filled;
    after = rows[rows.length - 1]!.id;
  }
}
