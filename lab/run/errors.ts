// Why a case could not be run to its verdict. Mismatching probes are not errors (they are the
// result); these are the failures around them, each with a stable code so the CLI, the JSON output
// and the tests can tell "the case file is wrong" from "the agent died" without parsing messages.

export type RunErrorCode =
  | 'invalid_case' // the case file does not load or expand (FORMAT.md)
  | 'setup_failed' // topology, uplink, files: the lab itself could not be built
  | 'api_failed' // the control plane refused a request the runner made as a user
  | 'agent_failed' // the palisade agent exited, or reported it cannot apply a bundle
  | 'agent_timeout' // the agent did not report, or did not apply the latest bundle in time
  | 'bundle_timeout' // the control plane did not build the bundle for the stored policies in time
  | 'probe_failed'; // the probe agents could not run a probe at all

export class RunError extends Error {
  override readonly name = 'RunError';
  constructor(
    readonly code: RunErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}
