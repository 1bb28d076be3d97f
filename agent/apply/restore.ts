// On start, before any call to the control plane: the last good bundle on disk goes through the
// accept phase again (expiry aside: accept.ts reacceptLastGood) and is held, so the pipeline applies
// it as soon as there is an inventory. An unreadable or refused one is reported and not enforced.
import { reacceptLastGood, verifiedBundle } from './accept.ts';
import type { PipelineContext } from './pipeline.ts';
import { recordHeld, recordSaved } from './record.ts';

export async function restoreLastGood(context: PipelineContext): Promise<void> {
  const { conditions, log, state } = context;
  const loaded = await context.lastGood.load();
  if (!loaded.ok) {
    conditions.set('state', { code: loaded.code, message: loaded.message });
    log.error({ code: loaded.code, reason: loaded.message }, 'last good bundle unreadable; starting without one');
    return;
  }
  if (!loaded.record) {
    log.info('no last good bundle on this node yet');
    return;
  }
  const record = loaded.record;
  const verdict = await reacceptLastGood(record.jws, {
    identity: context.identity,
    trustRoot: await context.trustRoot.current(),
    now: context.clock(),
    maxBytes: context.maxBundleBytes,
  });
  if (!verdict.ok) {
    const message = `last good bundle (revision ${record.revision}) refused on re-verification: ${verdict.code}: ${verdict.message}`;
    conditions.set('state', { code: 'LAST_GOOD_REFUSED', message, revision: record.revision });
    log.error({ code: verdict.code, reason: verdict.message, revision: record.revision }, 'last good bundle refused; not enforcing it');
    return;
  }
  if (verdict.expired) {
    log.warn(
      { revision: verdict.payload.revision, expiresAt: verdict.payload.expiresAt },
      'last good bundle has expired; enforcing it until a newer one is accepted',
    );
  }
  const bundle = verifiedBundle(record.jws, verdict.payload);
  state.enforcement = recordSaved(recordHeld(state.enforcement, bundle), bundle);
  log.info({ revision: bundle.revision }, 'last good bundle restored');
}
