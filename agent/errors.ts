// Every code the agent reports, in one closed set (STYLE.md item 3). A status report's errors, a
// dataplane's apply errors and a start-up failure each carry one of these literals, so TypeScript
// rejects a code nobody declared here and the control plane and its operators can rely on the list.
// Grouped by the concern that raises them (agent/status/conditions.ts).
import type { BundleRejection } from '../policy/bundle/verify.ts';

/** Why applying a bundle failed, as the dataplane (or the pipeline before it) reports it. */
export type DataplaneErrorCode =
  | 'UNSUPPORTED_POLICY_FEATURES' // the bundle uses an IR feature this dataplane does not enforce (agent/apply/admit.ts)
  | 'DATAPLANE_FAILED' // the dataplane threw instead of reporting
  | 'PLAN_LIMIT_EXCEEDED' // the bundle exceeds the plan limits it carries
  | 'COMPILE_LIMIT' // the policy would exceed a limit in agent/datapath/limits.ts (the message has the numbers)
  | 'COMPILE_FAILED' // the bundle could not be resolved against the inventory
  | 'LOAD_FAILED' // the kernel refused a program or a map (the message has the verifier's reason)
  | 'ATTACH_FAILED' // attaching or replacing on an interface failed
  | 'INTERFACE_MISSING' // the endpoint's host interface does not exist (yet, or any more)
  | 'PIN_FAILED' // bpffs could not be used for the node's pins
  | 'BANDWIDTH_INVALID' // a bandwidth limit cannot be enforced as written (that endpoint goes unpoliced)
  | 'BANDWIDTH_LIMIT' // the node's bucket table is full
  | 'UNTRACKED_RULE_UNSUPPORTED' // a doNotTrack rule resolved to a match XDP does not check (agent/datapath/xdp)
  | 'HOST_ENDPOINT_UNENFORCED'; // a host endpoint of this node names no interface, so nothing enforces its untracked rules

/** The codes a DatapathError (thrown inside agent/datapath) may carry. */
export type DatapathErrorCode = Extract<
  DataplaneErrorCode,
  'COMPILE_LIMIT' | 'COMPILE_FAILED' | 'LOAD_FAILED' | 'ATTACH_FAILED' | 'INTERFACE_MISSING' | 'PIN_FAILED'
>;

/**
 * A failed long-poll, by what failed (bundle/client.ts); an oversized body is a refused bundle
 * instead (TOO_LARGE, reported like any other rejection).
 */
export const BUNDLE_FETCH_ERROR_CODES = {
  NETWORK: 'BUNDLE_FETCH_NETWORK',
  TIMEOUT: 'BUNDLE_FETCH_TIMEOUT',
  UNAUTHORIZED: 'BUNDLE_FETCH_UNAUTHORIZED',
  HTTP_STATUS: 'BUNDLE_FETCH_HTTP_STATUS',
  TOKEN_UNAVAILABLE: 'BUNDLE_FETCH_TOKEN_UNAVAILABLE',
} as const;
export type BundleFetchErrorCode = (typeof BUNDLE_FETCH_ERROR_CODES)[keyof typeof BUNDLE_FETCH_ERROR_CODES];

/** The last good bundle on disk and what is enforced from it. */
export type StateErrorCode =
  | 'STATE_UNREADABLE' // the last good bundle's file cannot be read
  | 'STATE_CORRUPT' // it is not a last good record
  | 'LAST_GOOD_REFUSED' // it failed re-verification on start
  | 'STATE_WRITE_FAILED' // a newly applied bundle could not be saved
  | 'ENFORCING_EXPIRED_BUNDLE'; // the applied bundle has expired and stays enforced until a newer one

/** The endpoint inventory (pods, namespaces) could not be read, or made no sense. */
export type InventoryErrorCode = 'INVENTORY_UNAVAILABLE' | 'INVENTORY_INVALID';

/** The dataplane could not take over the programs a previous agent process left attached. */
export type AdoptErrorCode = 'ADOPT_FAILED';

/** What a status report's errors may say. */
export type AgentErrorCode = BundleRejection | BundleFetchErrorCode | DataplaneErrorCode | StateErrorCode | InventoryErrorCode | AdoptErrorCode;

/** Why the agent cannot start at all (agent/main.ts); these end the process rather than a report. */
export type StartupErrorCode = 'CONFIG_INVALID' | 'TRUST_ROOT_INVALID' | 'TRUST_ROOT_UNAVAILABLE' | 'DATAPLANE_UNAVAILABLE';
