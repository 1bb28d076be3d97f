// `npm run bench -- wire [--json]`: the bytes one agent receives per revision of a 10,000-rule
// bundle (issue 15's `bundleWire`). The bundle is the bench's usual policy (rules.ts) signed as the
// control plane signs it (bundles.ts); fullBytes is the JWS as sent to an agent asking for no coding,
// compressedBytes what GET /v1/agent/bundle sends to the agent (brotli, through the same
// encodeBundle the route uses), gzipBytes what a client that only knows gzip gets. deltaBytesOneRule
// is null: delivery of a delta against the applied revision is not implemented, so a one-rule change
// costs each agent compressedBytes. No root needed; prints a markdown table (or one JSON object).
import { encodeBundle } from '../policy/bundle/wire-encoding.ts';
import { createBundleIssuer } from './bundles.ts';
import { progress } from './progress.ts';
import { benchPolicySet } from './rules.ts';
import { round } from './stats.ts';

const RULES = 10_000;
const CLIENT = { clientIp: '10.77.0.2', clientPort: 5201 };

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
  const bundleWire = { fullBytes, compressedBytes: brotli.byteLength, gzipBytes: gzip.byteLength, deltaBytesOneRule: null };
  const json = { rules: RULES, bundleWire, brotliEncodeMs: round(brotliMs) };
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
    '| delta, one rule changed | not implemented (null) | |',
    '',
    `One brotli encoding took ${round(brotliMs)} ms (once per revision: the route caches it by digest for every waiting agent).`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  return 0;
}
