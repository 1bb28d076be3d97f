// Parent side of one pod agent: spawns it inside the pod netns, waits for "ready", multiplexes
// probe requests over its stdin/stdout by id, and turns a dead agent into LabErrors.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { LabError } from '../errors.ts';
import { buildAgent } from './agent-build.ts';
import type { AgentConfig, AgentMessage, ProbeAnswer, ProbeProtocol } from './protocol.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const AGENT_ENTRY = join(HERE, 'pod-agent.ts');
// `--import tsx` resolves from the working directory: run where the repo's node_modules is.
const REPO_ROOT = join(HERE, '..', '..');

export interface AgentClient {
  readonly pid: number;
  probe(host: string, port: number, protocol: ProbeProtocol, timeoutMs: number): Promise<ProbeAnswer>;
  close(): Promise<void>;
}

export interface AgentSpawnOptions {
  netns: string;
  config: AgentConfig;
  readyTimeoutMs: number;
  /** Told the pid as soon as it exists, so cleanup can kill it even if startup fails. */
  onSpawn?: (pid: number) => void;
  /** Told when it has exited: its pid may be reused from then on and must not be killed. */
  onExit?: (pid: number) => void;
}

let built: Promise<string | undefined> | undefined;

/** Node arguments that run the agent: the prebuilt JavaScript, or the TypeScript through tsx. */
async function agentCommand(): Promise<string[]> {
  built ??= buildAgent(AGENT_ENTRY);
  const js = await built;
  return js ? [js] : ['--import', 'tsx', AGENT_ENTRY];
}

export async function startAgent(opts: AgentSpawnOptions): Promise<AgentClient> {
  const { NODE_OPTIONS: _drop, ...env } = process.env; // a parent's loader flags (vitest, tsx) are not ours
  const child: ChildProcessWithoutNullStreams = spawn(
    'ip',
    ['netns', 'exec', opts.netns, process.execPath, ...(await agentCommand()), JSON.stringify(opts.config)],
    { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  // `ip netns exec` execs the command after setns(), so this pid is the node process itself.
  if (child.pid !== undefined) opts.onSpawn?.(child.pid);

  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  child.stdin.on('error', () => {}); // EPIPE after the agent died: reported through 'exit'

  const pending = new Map<number, { resolve: (a: ProbeAnswer) => void; reject: (e: LabError) => void }>();
  let nextId = 1;
  let exited: LabError | undefined;
  const exitPromise = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  return new Promise((resolveStart, rejectStart) => {
    const readyTimer = setTimeout(() => {
      child.kill('SIGKILL');
      rejectStart(new LabError('agent_timeout', `${opts.config.key}: agent not ready after ${opts.readyTimeoutMs} ms`, { stderr }));
    }, opts.readyTimeoutMs);

    const client: AgentClient = {
      pid: child.pid ?? -1,
      probe: (host, port, protocol, timeoutMs) =>
        new Promise((resolve, reject) => {
          if (exited) return reject(exited);
          const id = nextId++;
          // The agent enforces timeoutMs itself; this deadline only catches a wedged agent.
          const deadline = setTimeout(() => {
            pending.delete(id);
            reject(new LabError('agent_timeout', `${opts.config.key}: no answer to probe ${id} within ${timeoutMs + 5000} ms`));
          }, timeoutMs + 5000);
          pending.set(id, {
            resolve: (a) => {
              clearTimeout(deadline);
              resolve(a);
            },
            reject: (e) => {
              clearTimeout(deadline);
              reject(e);
            },
          });
          child.stdin.write(`${JSON.stringify({ id, host, port, protocol, timeoutMs })}\n`);
        }),
      close: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.stdin.end(); // the agent exits on EOF
          const t = setTimeout(() => child.kill('SIGKILL'), 2000);
          await exitPromise;
          clearTimeout(t);
        }
      },
    };

    createInterface({ input: child.stdout }).on('line', (line) => {
      let msg: AgentMessage;
      try {
        msg = JSON.parse(line) as AgentMessage;
      } catch {
        return; // stray output (e.g. a warning) is not protocol
      }
      if (msg.type === 'ready') {
        clearTimeout(readyTimer);
        resolveStart(client);
      } else if (msg.type === 'fatal') {
        clearTimeout(readyTimer);
        rejectStart(new LabError('agent_failed', msg.message, { stderr }));
      } else {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        const { type: _t, id: _i, ...answer } = msg;
        p?.resolve(answer);
      }
    });

    child.once('error', (e) => {
      clearTimeout(readyTimer);
      rejectStart(new LabError('agent_failed', `${opts.config.key}: cannot spawn agent: ${e.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(readyTimer);
      if (child.pid !== undefined) opts.onExit?.(child.pid);
      exited = new LabError('agent_failed', `${opts.config.key}: agent exited (code ${code}, signal ${signal}): ${stderr.trim()}`, {
        stderr,
      });
      rejectStart(exited); // no-op once started
      for (const p of pending.values()) p.reject(exited);
      pending.clear();
    });
  });
}
