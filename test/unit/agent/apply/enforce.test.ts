// The enforce phase (agent/apply/enforce.ts): what the dataplane reports is the report; a dataplane
// that throws is a failed apply.
import { describe, expect, it } from 'vitest';
import { enforce } from '../../../../agent/apply/enforce.ts';
import type { Dataplane } from '../../../../agent/datapath/dataplane.ts';
import { inventorySchema } from '../../../../policy/inventory.ts';
import { IR_FEATURES } from '../../../../policy/ir-features.ts';
import { newIdentity, payload, smallInventory } from '../daemon-fixtures.ts';

const inventory = inventorySchema.parse(smallInventory());

describe('enforce', () => {
  it('turns a dataplane that throws into a failed apply', async () => {
    const throwing: Dataplane = {
      supportedIrFeatures: IR_FEATURES,
      apply: async () => {
        throw new Error('kernel went away');
      },
      close: async () => {},
    };
    const report = await enforce(throwing, { bundle: payload(newIdentity(), 1), inventory });
    expect(report).toEqual({ applied: false, programs: {}, errors: [{ code: 'DATAPLANE_FAILED', message: 'kernel went away' }] });
  });
});
