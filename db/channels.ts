// Postgres NOTIFY channels. Notifications are only wake-up calls; the rows are the truth.

/** Payload: cluster id. Sent in the transaction that writes an outbox row; wakes the outbox relay. */
export const OUTBOX_CHANNEL = 'palisade_outbox';
/** Payload: cluster id. Sent in the transaction that stores a bundle; wakes long-polling agents. */
export const BUNDLE_CHANNEL = 'palisade_bundle';
/** Payload: cluster id. Sent in the transaction that stores an agent's flow logs; wakes live flow streams. */
export const FLOW_CHANNEL = 'palisade_flows';
