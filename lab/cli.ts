// npm run lab -- <case.json | folder>... [--json] [--explain] [--dataplane ebpf|dry-run] [--concurrency N]
//                 [--probe-timeout-ms MS] [--agent-logs DIR] [--matrices always|on-mismatch]
//
// Runs reachability cases (../shared/netpol-cases/FORMAT.md) through the whole product: control
// plane in-process, the real agent in a node netns, real packets between pods in netns. Exit 0 only
// when every probe of every case matches; 1 when some probe mismatched or a case could not run;
// 2 on bad usage. --json prints one JSON object per case per line, in the order cases finish.
// --explain cross-checks every probe with the control plane's explanation, as the test suites do: a
// disagreement fails the case, and each case's JSON line counts them in `explainDisagreements`.
import { parseArgs } from 'node:util';
import { caseJson, formatCaseReport } from './run/report.ts';
import { type DataplaneChoice, passed } from './run/run-case.ts';
import { caseFiles, startLabSession } from './run/session.ts';

const USAGE = `usage: npm run lab -- <case.json | folder>... [--json] [--explain] [--dataplane ebpf|dry-run] [--concurrency N]
                    [--probe-timeout-ms MS] [--agent-logs DIR] [--matrices always|on-mismatch] [--verbose]`;

function usage(message: string): never {
  process.stderr.write(`lab: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseCommandLine() {
  try {
    return parseArgs({
      args: process.argv.slice(2),
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        explain: { type: 'boolean', default: false },
        dataplane: { type: 'string', default: process.env.PALISADE_LAB_DATAPLANE ?? 'ebpf' },
        concurrency: { type: 'string', default: '1' },
        'probe-timeout-ms': { type: 'string', default: '1000' },
        'agent-logs': { type: 'string' },
        matrices: { type: 'string', default: 'always' },
        verbose: { type: 'boolean', short: 'v', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    return usage((error as Error).message);
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parseCommandLine();
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length === 0) usage('give a case file or a folder of cases');
  const dataplane = values.dataplane as DataplaneChoice;
  if (dataplane !== 'ebpf' && dataplane !== 'dry-run') usage(`--dataplane must be ebpf or dry-run, not ${values.dataplane}`);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) usage('--concurrency must be a positive integer');
  const probeTimeoutMs = Number(values['probe-timeout-ms']);
  if (!Number.isInteger(probeTimeoutMs) || probeTimeoutMs < 1) usage('--probe-timeout-ms must be a positive integer');
  const matrices = values.matrices;
  if (matrices !== 'always' && matrices !== 'on-mismatch') usage('--matrices must be always or on-mismatch');

  let files: string[];
  try {
    files = await caseFiles(positionals);
  } catch (error) {
    usage((error as Error).message);
  }
  if (files.length === 0) usage(`no *.json case in ${positionals.join(', ')}`);

  const progress = (line: string) => {
    if (values.verbose) process.stderr.write(`lab: ${line}\n`);
  };
  if (dataplane === 'dry-run') progress('dry-run dataplane: nothing is enforced, deny expectations will mismatch');
  const session = await startLabSession({
    dataplane,
    probeTimeoutMs,
    explain: values.explain,
    ...(values['agent-logs'] ? { agentLogDir: values['agent-logs'] } : {}),
    log: progress,
  });
  const started = performance.now();
  let failures = 0;
  try {
    await session.runCases(files, {
      concurrency,
      onResult: (r) => {
        if (!passed(r)) failures++;
        process.stdout.write(values.json ? `${JSON.stringify(caseJson(r, { explain: values.explain }))}\n` : `${formatCaseReport(r, { matrices })}\n\n`);
      },
    });
  } finally {
    await session.close();
  }
  if (!values.json) {
    process.stdout.write(`${files.length - failures}/${files.length} cases passed in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`lab: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
