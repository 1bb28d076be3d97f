// The buckets the dataplane can enforce, from what the resolver gave: a bucket whose rate or burst
// the programs cannot represent (params.ts), or a fourth bucket on one direction, is left out and
// reported against the endpoint, whose other buckets stay enforced. The API refuses such values at
// write time; this is the agent not trusting that.
import type { EndpointBandwidth } from '../../../policy/bandwidth/buckets.ts';
import type { EndpointKey } from '../../../policy/inventory.ts';
import { BW_BUCKETS_PER_ENDPOINT } from '../layouts.ts';
import { bucketProblem } from './params.ts';

export interface BandwidthProblem {
  endpoint: EndpointKey;
  message: string;
}

export function enforceableBandwidth(endpoints: ReadonlyMap<EndpointKey, EndpointBandwidth>): {
  endpoints: Map<EndpointKey, EndpointBandwidth>;
  problems: BandwidthProblem[];
} {
  const out = new Map<EndpointKey, EndpointBandwidth>();
  const problems: BandwidthProblem[] = [];
  for (const [endpoint, bw] of endpoints) {
    const keep = (direction: 'ingress' | 'egress') => {
      const valid = bw[direction].filter((bucket) => {
        const problem = bucketProblem(bucket);
        if (problem) problems.push({ endpoint, message: `${direction} bucket ${bucket.id} (${bucket.source}) not enforced: ${problem}` });
        return !problem;
      });
      if (valid.length > BW_BUCKETS_PER_ENDPOINT) {
        problems.push({
          endpoint,
          message: `${direction}: ${valid.length} buckets, the datapath charges at most ${BW_BUCKETS_PER_ENDPOINT}; not enforced: ${valid
            .slice(BW_BUCKETS_PER_ENDPOINT)
            .map((b) => b.id)
            .join(', ')}`,
        });
      }
      return valid.slice(0, BW_BUCKETS_PER_ENDPOINT);
    };
    const ingress = keep('ingress');
    const egress = keep('egress');
    if (ingress.length > 0 || egress.length > 0) out.set(endpoint, { ingress, egress });
  }
  return { endpoints: out, problems };
}
