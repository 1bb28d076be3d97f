// A build that can never succeed, however often it is retried: a stored object that no longer
// validates, for one. Processors throw this; the BullMQ queue fails the job at once instead of
// retrying it (BullMQ's UnrecoverableError), and the in-process queue logs it as such.
export class UnrecoverableBuildError extends Error {
  readonly code = 'BUILD_UNRECOVERABLE';
}
