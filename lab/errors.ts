// Errors as values at the lab's boundaries: every failure callers may want to branch on carries a
// stable code, so tests and the case runner can tell "the case file is wrong" from "ip failed"
// from "a probe agent died" without parsing messages.

export type LabErrorCode =
  | 'invalid_case' // the case JSON does not match FORMAT.md
  | 'unknown_namespace' // a pod or service names a namespace the case does not declare
  | 'duplicate_pod'
  | 'duplicate_service'
  | 'pattern_matches_nothing' // a probe `from`/`to` pattern selects no pod: almost always a typo
  | 'port_not_served' // a probe expects a connection to a port the target does not serve
  | 'unknown_service' // a probe names a Service the case does not declare, or one without a ClusterIP or that port
  | 'unknown_placeholder' // `${ns/pod}` names no pod
  | 'not_root'
  | 'command_failed' // an `ip` (or other) command exited non-zero
  | 'address_space_exhausted'
  | 'too_many_pods'
  | 'unknown_pod'
  | 'unsupported_protocol'
  | 'agent_failed' // a probe agent could not start or died
  | 'agent_timeout'
  | 'destroyed'; // the topology or prober was used after destroy()/close()

export class LabError extends Error {
  override readonly name = 'LabError';
  constructor(
    readonly code: LabErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export type Result<T, E = LabError> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = (code: LabErrorCode, message: string, details?: Record<string, unknown>): Result<never> => ({
  ok: false,
  error: new LabError(code, message, details),
});

/** For callers (tests, scripts) that treat any lab error as fatal. */
export function unwrap<T>(r: Result<T>): T {
  if (!r.ok) throw r.error;
  return r.value;
}
