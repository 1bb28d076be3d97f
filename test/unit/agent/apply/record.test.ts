// The record phase (agent/apply/record.ts): how the daemon's record of enforcement moves as bundles
// are held, applied and applied again; and the closed set of codes a status error may carry.
import { describe, expect, it } from 'vitest';
import { verifiedBundle } from '../../../../agent/apply/accept.ts';
import { knownRevision, NOTHING_ENFORCED, recordApplied, recordHeld, recordSaved } from '../../../../agent/apply/record.ts';
import type { AgentStatusError } from '../../../../agent/status/reporter.ts';
import { inventorySchema } from '../../../../policy/inventory.ts';
import { newIdentity, payload, smallInventory } from '../daemon-fixtures.ts';

const inventory = inventorySchema.parse(smallInventory());

describe('record', () => {
  const identity = newIdentity();
  const bundleOf = (revision: number) => verifiedBundle(`jws-${revision}`, payload(identity, revision));

  it('holds a bundle, then applies it: the held one is what the agent asks past, then the applied one', () => {
    const held = recordHeld(NOTHING_ENFORCED, bundleOf(4));
    expect(knownRevision(held)).toBe(4);
    expect(held.applied).toBeUndefined();
    const applied = recordApplied(held, bundleOf(4), inventory, { 'shop/web': { strategy: 'recording' } });
    expect(applied).toMatchObject({
      applied: { revision: 4 },
      pending: undefined,
      appliedInventory: inventory,
      programs: { 'shop/web': { strategy: 'recording' } },
    });
    expect(knownRevision(applied)).toBe(4);
  });

  it('keeps a newer held bundle when the applied one is applied again over a new inventory', () => {
    const state = recordHeld(recordApplied(NOTHING_ENFORCED, bundleOf(4), inventory, {}), bundleOf(6));
    const again = recordApplied(state, bundleOf(4), inventory, {});
    expect(again.pending?.revision).toBe(6);
    expect(knownRevision(again)).toBe(6);
  });

  it('remembers what the last good store holds', () => {
    expect(recordSaved(NOTHING_ENFORCED, bundleOf(2)).savedJws).toBe('jws-2');
  });

  it('takes only the closed set of codes (a type check: tsc fails on an unknown one)', () => {
    // @ts-expect-error: not a code of agent/errors.ts
    const unknown: AgentStatusError = { code: 'SOMETHING_ELSE', message: 'never reported' };
    const known: AgentStatusError = { code: 'BUNDLE_FETCH_NETWORK', message: 'reported' };
    expect([unknown.code, known.code]).toEqual(['SOMETHING_ELSE', 'BUNDLE_FETCH_NETWORK']);
  });
});
