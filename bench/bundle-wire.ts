// `npm run bench -- wire [--json]`: the bytes one agent receives per revision of a 10,000-rule
// bundle (issue 15's `bundleWire`). The bundle is the bench's usual policy (rules.ts) signed as the
// control plane signs it (bundles.ts); fullBytes is the JWS as sent to an agent asking for no coding,
// compressedBytes what GET /v1/agent/bundle sends to the agent (brotli, through the same
// encodeBundle the route uses), gzipBytes what a client that only knows gzip gets. deltaBytesOneRule
// is what an agent holding that revision receives for the next one, whose only change is one rule's
// port: the delta (policy/bundle/delta.ts, the route's diffBundles) as JSON, brotli-encoded like the
// route sends it. No root needed; prints a markdown table (or one JSON object).
import { diffBundles, rebuildBundle } from '../policy/bundle/delta.ts';
import { encodeBundle } from '../policy/bundle/wire-encoding.ts';
import type { PolicySet } from '../policy/ir.ts';
import { parsePolicyObject } from '../policy/kinds/index.ts';
import { buildPolicySet } from '../policy/policy-set.ts';
import { createBundleIssuer } from './bundles.ts';
import { progress } from './progress.ts';
import { benchNetworkPolicy, benchPolicySet } from './rules.ts';
import { round } from './stats.ts';

const RULES = 10_000;
const CLIENT = { clientIp: '10.77.0.2', clientPort: 5201 };

/** The bench policy with rule `index`'s port moved: a one-rule edit. */
function oneRuleChanged(index: number): PolicySet {
  const manifest = benchNetworkPolicy({ count: RULES, ...CLIENT }) as { spec: { ingress: { ports: { port: number }[] }[] } };
  manifest.spec.ingress[index]!.ports[0]!.port = 9;
  const parsed = parsePolicyObject(manifest);
  if (!parsed.ok) throw new Error('the edited bench policy does not parse');
  return buildPolicySet([parsed.ir]);
}

export async function runBundleWireBench(options: { json: boolean }): Promise<number> {
  progress(`wire: signing a ${RULES}-rule bundle`);
  const issuer = await createBundleIssuer();
  const jws = await issuer.sign(1, benchPolicySet({ count: RULES, ...CLIENT }));
  const fullBytes = Buffer.byteLength(jws);
  progress('wire: compressing (br, gzip)');
  const started = performance.now();
  const brotli = await encodeBundle(jws, 'br');
  const brotliMs = performance.now() - started;
  const gzip = await encodeBundle(jws, 'gzip');
  progress('wire: a one-rule edit as a delta');
  const next = await issuer.sign(2, oneRuleChanged(RULES / 2));
  const delta = diffBundles({ revision: 1, jws }, { revision: 2, jws: next });
  // The figure counts only a delta that rebuilds the exact signed bundle.
  const rebuilt = rebuildBundle({ revision: 1, jws }, delta, 8 * 1024 * 1024);
  if (!rebuilt.ok || rebuilt.jws !== next) throw new Error(`the delta does not rebuild the bundle: ${rebuilt.ok ? 'different bytes' : rebuilt.message}`);
  const deltaJson = JSON.stringify(delta);
  const deltaBytesOneRule = (await encodeBundle(deltaJson, 'br')).byteLength;
  const bundleWire = { fullBytes, compressedBytes: brotli.byteLength, gzipBytes: gzip.byteLength, deltaBytesOneRule };
  const json = { rules: RULES, bundleWire, deltaUncompressedBytes: Buffer.byteLength(deltaJson), brotliEncodeMs: round(brotliMs) };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(json)}\n`);
    return 0;
  }
  const ratio = (bytes: number) => `${round((100 * bytes) / fullBytes)}%`;
  const lines = [
    `| ${RULES} rules | bytes per agent per revision | of full |`,
    '| --- | --- | --- |',
    `| full (no coding) | ${fullBytes} | 100% |`,
    `| br (what the agent asks for) | ${brotli.byteLength} | ${ratio(brotli.byteLength)} |`,
    `| gzip | ${gzip.byteLength} | ${ratio(gzip.byteLength)} |`,
    `| delta, one rule changed (br; ${Buffer.byteLength(deltaJson)} B before) | ${deltaBytesOneRule} | ${ratio(deltaBytesOneRule)} |`,
    '',
    `One brotli encoding took ${round(brotliMs)} ms (once per revision: the route caches it by digest for every waiting agent).`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  return 0;
}
