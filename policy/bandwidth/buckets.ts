// What the agent resolves per local endpoint from the bundle's bandwidth policies, the pod's
// annotations and the plan's ceiling: the token buckets the dataplane enforces (policy/ir.ts holds the
// bandwidth schemas a bundle carries).

/**
 * One token bucket a packet must conform to. Equal `id`s are one bucket, shared by every endpoint
 * that lists it (a Namespace-scoped policy, the tenant ceiling); the dataplane keeps a bucket's state
 * across applies while its id, rate and burst stay the same.
 */
export interface BandwidthBucket {
  /** `pod/<namespace>/<name>/<direction>`, `namespace/<policy id>/<namespace>/<direction>`, `tenant/<direction>`. */
  id: string;
  rateBitsPerSecond: number;
  burstBytes: number;
  /** What set it, for status and explain: a BandwidthPolicy id, an annotation name, or `plan`. */
  source: string;
}

/**
 * The buckets one local endpoint's traffic passes through, per direction, in the order they are
 * charged: the pod's own, then a shared namespace bucket, then the tenant's node ceiling. A packet
 * passes only when it conforms to all of them. Empty lists: no limit.
 */
export interface EndpointBandwidth {
  ingress: BandwidthBucket[];
  egress: BandwidthBucket[];
}
