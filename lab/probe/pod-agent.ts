// Entry point of the per-pod helper, started as `ip netns exec <pod netns> node --import tsx
// lab/probe/pod-agent.ts '<AgentConfig JSON>'`. Node cannot setns(2), so a process per pod netns
// is the only way to own sockets there; one long-lived process serves the pod's ports AND runs
// its outgoing probes, so a probe costs a connect and a pipe round trip, not a process spawn.
// It exits when stdin closes, i.e. when its parent goes away, however that happens.
import { createInterface } from 'node:readline';
import { probeOnce } from './connect.ts';
import type { AgentConfig, AgentMessage, ProbeRequest } from './protocol.ts';
import { startServers } from './serve.ts';

const send = (m: AgentMessage): void => void process.stdout.write(`${JSON.stringify(m)}\n`);

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as AgentConfig;
  try {
    await startServers(config.serve);
  } catch (e) {
    send({ type: 'fatal', message: `${config.key}: cannot serve: ${(e as Error).message}` });
    process.exit(1);
  }
  send({ type: 'ready', serving: config.serve });

  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (!line.trim()) return;
    const req = JSON.parse(line) as ProbeRequest;
    probeOnce(req.host, req.port, req.protocol, req.timeoutMs).then(
      (answer) => send({ type: 'reply', id: req.id, ...answer }),
      (e: Error) => send({ type: 'reply', id: req.id, connected: false, reason: 'error', ms: 0, detail: e.message }),
    );
  });
  lines.on('close', () => process.exit(0));
}

void main();
