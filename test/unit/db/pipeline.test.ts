// Pipelined queries of one transaction (db/pipeline.ts): once one fails the server fails every later
// one ("current transaction is aborted"), often before the caller has seen the first failure, so the
// error that explains the failure is the first in start order, and nothing is left to reject unheard.
import { describe, expect, it } from 'vitest';
import { inStartOrder } from '../../../db/pipeline.ts';

const resolvingAfter = <T>(ms: number, settle: () => T) => new Promise<T>((resolve) => setTimeout(() => resolve(settle()), ms));
const failingAfter = (ms: number, message: string) => new Promise<never>((_, reject) => setTimeout(() => reject(new Error(message)), ms));

describe('pipelined queries', () => {
  it('give their values in start order', async () => {
    await expect(
      inStartOrder(
        resolvingAfter(20, () => 'lock'),
        resolvingAfter(5, () => 1),
        Promise.resolve(undefined),
      ),
    ).resolves.toEqual(['lock', 1, undefined]);
  });

  it('fail with the first failure in start order, even when a later one failed sooner', async () => {
    const aborted = failingAfter(1, 'current transaction is aborted');
    const cause = failingAfter(30, 'duplicate key value');
    await expect(
      inStartOrder(
        resolvingAfter(10, () => 'read'),
        cause,
        aborted,
      ),
    ).rejects.toThrow('duplicate key value');
  });

  it('wait for every query before failing', async () => {
    let slowSettled = false;
    const slow = resolvingAfter(30, () => {
      slowSettled = true;
    });
    await expect(inStartOrder(failingAfter(1, 'refused'), slow)).rejects.toThrow('refused');
    expect(slowSettled).toBe(true);
  });
});
