// The real palisade agent (`node --import tsx agent/main.ts`) as a separate process inside a run's
// node netns, where the pods' host-side veths and their interface indexes live.
//
// Why not `ip netns exec`: it remounts /sys for the netns in a private mount namespace, which hides
// the host's bpffs at /sys/fs/bpf. The agent's pins would then land in a private bpffs instance (or
// fail), invisible to cleanup and gone with the process, unlike a DaemonSet agent, which sees the
// node's netns, its sysfs and the host's bpffs. So the agent is started with the same netns and
// sysfs as `ip netns exec` gives, plus the host bpffs bound back over /sys/fs/bpf:
//   nsenter --net=/run/netns/<node>  unshare --mount --propagation slave  sh -c '<NODE_EXEC_SCRIPT>'
// Every step execs the next, so the spawned pid is the node process itself.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processRunning } from '../net/teardown.ts';
import { RunError } from './errors.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
/** `--import tsx` resolves from the working directory: the repo root, where node_modules is. */
export const REPO_ROOT = join(HERE, '..', '..');
export const AGENT_ENTRY = join(REPO_ROOT, 'agent', 'main.ts');

/**
 * Runs inside the new mount namespace: keep a handle on the host bpffs, mount the node netns' sysfs
 * over /sys, bind the bpffs back (`-c`: mount must not canonicalise /proc/self/fd/3 into the path
 * the new sysfs now covers), then exec the agent ($0 "$@").
 */
export const NODE_EXEC_SCRIPT = 'exec 3</sys/fs/bpf && mount -t sysfs sysfs /sys && mount -c --bind /proc/self/fd/3 /sys/fs/bpf && exec 3<&- && exec "$0" "$@"';

/** argv that runs `command` in `netns` the way the agent runs on a node (see above). */
export function nodeExecArgv(netns: string, command: readonly string[]): string[] {
  return ['nsenter', `--net=/run/netns/${netns}`, 'unshare', '--mount', '--propagation', 'slave', 'sh', '-c', NODE_EXEC_SCRIPT, ...command];
}

export interface AgentProcessOptions {
  netns: string;
  /** Flags for agent/main.ts. */
  args: readonly string[];
  /** stdout and stderr (pino JSON lines) go here. */
  logFile: string;
  onSpawn?: (pid: number) => void;
  onExit?: (pid: number) => void;
  /** More environment for the agent (fault tests' hooks), over this process's own. */
  env?: Readonly<Record<string, string>>;
  /** How the agent is run, before its flags: tsx over agent/main.ts unless given (the bench runs the compiled agent). */
  command?: readonly string[];
}

export interface AgentProcess {
  readonly pid: number;
  /** Set once the process has exited: why, with the end of its log. */
  exited(): RunError | undefined;
  /** The last lines of its log, for error messages. */
  logTail(lines?: number): string;
  /** SIGTERM (the agent stops and leaves enforcement in place), SIGKILL after `graceMs`. Idempotent. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once, as a node's OOM killer or a crash would: nothing of the agent runs after it. */
  kill(): Promise<void>;
}

/** A short "code: reason" of the agent's last error or fatal log line, if any. */
function lastComplaint(log: string): string | undefined {
  const lines = log.trim().split('\n').reverse();
  for (const line of lines) {
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; code?: string; reason?: string };
      if ((entry.level ?? 0) >= 50) return [entry.msg, entry.code, entry.reason].filter(Boolean).join(': ');
    } catch {
      if (line.startsWith('palisade-agent:')) return line;
    }
  }
  return undefined;
}

export async function startAgentProcess(options: AgentProcessOptions): Promise<AgentProcess> {
  const { NODE_OPTIONS: _drop, ...inherited } = process.env; // a parent's loader flags (vitest) are not the agent's
  const env = { ...inherited, ...options.env };
  const fd = openSync(options.logFile, 'a');
  const command = options.command ?? [process.execPath, '--import', 'tsx', AGENT_ENTRY];
  const argv = nodeExecArgv(options.netns, [...command, ...options.args]);
  const child = spawn(argv[0]!, argv.slice(1), { cwd: REPO_ROOT, env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) {
    const error = await new Promise<Error>((resolve) => child.once('error', resolve));
    throw new RunError('agent_failed', `cannot start the agent: ${error.message}`);
  }
  options.onSpawn?.(pid);

  const logTail = (lines = 20): string => {
    try {
      const size = statSync(options.logFile).size;
      const text = readFileSync(options.logFile, 'utf8').slice(Math.max(0, size - 64 * 1024));
      return text.trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };

  let exitError: RunError | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      options.onExit?.(pid);
      const tail = logTail(40);
      const why = lastComplaint(tail);
      exitError = new RunError('agent_failed', `the agent exited (code ${code}, signal ${signal})${why ? `: ${why}` : ''}`, {
        log: tail,
      });
      resolve();
    }),
  );
  child.on('error', () => {}); // reported through 'exit'

  let stopping: Promise<void> | undefined;
  return {
    pid,
    exited: () => exitError,
    logTail,
    stop: (graceMs = 3000) =>
      (stopping ??= (async () => {
        if (exitError || !processRunning(pid)) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exit;
        clearTimeout(timer);
      })()),
    kill: async () => {
      if (exitError || !processRunning(pid)) return;
      child.kill('SIGKILL');
      await exit;
    },
  };
}

/** Appends a note to the agent's log (the runner's view of events, between the agent's lines). */
export async function noteInLog(logFile: string, note: string): Promise<void> {
  const handle = await open(logFile, 'a');
  try {
    await handle.write(`${JSON.stringify({ lab: note, time: Date.now() })}\n`);
  } finally {
    await handle.close();
  }
}
