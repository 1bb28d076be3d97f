// Errors of the datapath, one closed set of codes. The dataplane turns them into DataplaneError
// entries of its apply report (agent/dataplane.ts) with the same code.

export const DATAPATH_ERROR_CODES = [
  'COMPILE_LIMIT', // the policy would exceed a limit in ./limits.ts (the message has the numbers)
  'COMPILE_FAILED', // the bundle could not be resolved against the inventory
  'LOAD_FAILED', // the kernel refused a program or a map (the message has the verifier's reason)
  'ATTACH_FAILED', // attaching or replacing on an interface failed
  'INTERFACE_MISSING', // the endpoint's host interface does not exist (yet, or any more)
  'PIN_FAILED', // bpffs could not be used for the node's pins
] as const;

export type DatapathErrorCode = (typeof DATAPATH_ERROR_CODES)[number];

export class DatapathError extends Error {
  override readonly name = 'DatapathError';
  constructor(
    readonly code: DatapathErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
