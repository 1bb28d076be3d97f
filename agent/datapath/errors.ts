// The error the datapath throws inside a phase (code generation, loading, pinning); the phase that
// catches it reports its code in the apply report. The codes are agent/errors.ts's.
import type { DatapathErrorCode } from '../errors.ts';

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
