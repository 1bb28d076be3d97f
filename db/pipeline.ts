// Queries started together in one transaction travel together: postgres.js writes them to the
// transaction's one connection back to back, without waiting for answers in between, and the server
// runs them in the order they were sent. So a write's independent reads cost one round trip instead of
// one each (every round trip is a socket write and a wakeup on both sides, the largest cost of a write
// on the API's event loop), and their order on the server, locks included, is the order they were
// started in.
//
// Once one of them fails the transaction is aborted, and each later one fails with 25P02 ("current
// transaction is aborted"): the failure that explains it is the first in start order, which is not
// always the first to settle. And every one of them is awaited before anything is thrown, so none is
// left to reject with nobody listening, and the transaction never ends under a query still running.
type Started<T extends readonly unknown[]> = { [K in keyof T]: Promise<T[K]> };

/** The values of `started`, in order; when some failed, the failure of the first (in start order) of those. */
export async function inStartOrder<T extends readonly unknown[]>(...started: Started<T>): Promise<T> {
  const settled = await Promise.allSettled(started);
  const failed = settled.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
