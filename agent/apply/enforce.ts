// The enforce phase: hand an admitted bundle to the dataplane (agent/datapath/dataplane.ts), whose
// own phases compile, load and swap it. A dataplane that throws instead of reporting is treated as
// a failed apply: nothing the agent knows says enforcement changed, so the previous state stands.
import type { ApplyInput, ApplyReport, Dataplane } from '../datapath/dataplane.ts';

export async function enforce(dataplane: Dataplane, input: ApplyInput): Promise<ApplyReport> {
  try {
    return await dataplane.apply(input);
  } catch (error) {
    return { applied: false, programs: {}, errors: [{ code: 'DATAPLANE_FAILED', message: (error as Error).message ?? String(error) }] };
  }
}
