// The admit phase (pure): may this verified bundle go to the dataplane? Not when it uses an optional
// IR feature (policy/ir-features.ts) the chosen dataplane does not declare, so a rule is never
// enforced broader or narrower than written. This is the only place that check is made; each
// dataplane declares its own set (the dry-run one enforces nothing, so it takes every feature).
import type { BundlePayload } from '../../policy/bundle/payload.ts';
import type { Inventory } from '../../policy/inventory.ts';
import { type IrFeature, unsupportedIrFeatures } from '../../policy/ir-features.ts';
import type { ApplyInput, DataplaneError } from '../datapath/dataplane.ts';

export type Admission =
  | { admitted: true; input: ApplyInput }
  /** Refused as an apply that failed: the previous enforcement stays, the errors are reported. */
  | { admitted: false; errors: DataplaneError[] };

export function admit(bundle: BundlePayload, inventory: Inventory, supported: readonly IrFeature[]): Admission {
  const unsupported = unsupportedIrFeatures(bundle.policy, supported);
  if (unsupported.length > 0) {
    const message = `this agent cannot enforce ${unsupported.join(', ')} yet; the previous policy stays enforced`;
    return { admitted: false, errors: [{ code: 'UNSUPPORTED_POLICY_FEATURES', message }] };
  }
  return { admitted: true, input: { bundle, inventory } };
}
