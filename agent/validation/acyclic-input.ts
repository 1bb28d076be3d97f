// Imported first by agent/main.ts, before any module builds a zod schema: zod reads its memoizer when
// each container schema is constructed.
//
// zod 4's default memoizer lets a parse follow reference cycles in its input: every container whose
// schema is recursive registers each object it parses in a WeakMap keyed on the parse. The policy IR's
// selectors are recursive (and/or/not), which makes every rule, peer, endpoint match and selector of a
// bundle such a container: ~60,000 WeakMap entries for a 10,000-rule bundle. Everything the agent
// validates comes from JSON.parse (bundles, its last good bundle, inventory files, the Kubernetes API),
// which cannot hold a cycle, so that bookkeeping buys nothing here. Without it the first validation of
// a 10,000-rule bundle in a fresh process took 235-286 ms instead of 346-397 ms (5 interleaved runs,
// load 3.2); it still checks every value exactly as before.
import { z } from 'zod';

const acyclicInput: z.core.$ZodMemoizer = {
  attach() {},
  guard() {},
  alloc: (_schema, _payload, empty) => empty,
};

z.config({ memoizer: acyclicInput });
