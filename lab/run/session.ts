// A lab session: one control plane shared by every case it runs (each case signs up its own tenant,
// so nothing leaks between them), stale leftovers of dead runs swept first, and cases run one after
// another or with bounded concurrency. What a case makes (netns, agent, pins) is never shared.
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { sweepStale } from '../net/sweep.ts';
import { mapLimit } from '../probe/limit.ts';
import { type LabControlPlane, startLabControlPlane } from './control-plane.ts';
import { type CaseResult, type RunCaseOptions, runCase } from './run-case.ts';
import { sweepStaleRunFiles } from './run-files.ts';

export interface LabSession {
  controlPlane: LabControlPlane;
  runCase(file: string, overrides?: Partial<RunCaseOptions>): Promise<CaseResult>;
  /** Runs `files` with at most `concurrency` cases at once; `onResult` sees each as it finishes. */
  runCases(files: readonly string[], opts?: { concurrency?: number; onResult?: (r: CaseResult) => void }): Promise<CaseResult[]>;
  close(): Promise<void>;
}

export interface SessionOptions extends RunCaseOptions {
  /** pino level of the in-process control plane (default silent). */
  controlPlaneLogLevel?: string;
}

export async function startLabSession(options: SessionOptions): Promise<LabSession> {
  if (process.getuid?.() !== 0) throw new Error('the lab needs root (network namespaces, veth pairs, eBPF)');
  // Dead runs first lose their processes (an orphaned agent could pin again) and netns, then their files.
  await sweepStale();
  await sweepStaleRunFiles();
  const controlPlane = await startLabControlPlane({ logLevel: options.controlPlaneLogLevel });
  const one = (file: string, overrides: Partial<RunCaseOptions> = {}) => runCase(controlPlane, file, { ...options, ...overrides });
  return {
    controlPlane,
    runCase: one,
    runCases: (files, opts = {}) =>
      mapLimit(files, opts.concurrency ?? 1, async (file) => {
        const r = await one(file);
        opts.onResult?.(r);
        return r;
      }),
    close: () => controlPlane.stop(),
  };
}

/** A case file, or every `*.json` in a folder (sorted by name, which is the cases' numbering). */
export async function caseFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    const s = await stat(abs);
    if (s.isDirectory()) {
      const names = (await readdir(abs)).filter((n) => n.endsWith('.json')).sort();
      out.push(...names.map((n) => join(abs, n)));
    } else {
      out.push(abs);
    }
  }
  return out;
}
