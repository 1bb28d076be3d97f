// A TCP connection held open from inside a pod's network namespace, sending a numbered line every
// few milliseconds and counting the echoes: lets a test tell whether an established connection
// survives what happens meanwhile (agent restarts, policy re-applies).
import { type ChildProcess, spawn } from 'node:child_process';

const CLIENT = `
const net = require('node:net');
const [host, port, everyMs] = process.argv.slice(1);
let sent = 0, echoed = 0, buffer = '';
const socket = net.connect({ host, port: Number(port) }, () => {
  const timer = setInterval(() => socket.write(\`\${++sent}\\n\`), Number(everyMs));
  process.stdin.on('data', () => { clearInterval(timer); setTimeout(() => { console.log(JSON.stringify({ sent, echoed, error: null })); process.exit(0); }, 200); });
});
socket.on('data', (chunk) => { buffer += chunk; const lines = buffer.split('\\n'); buffer = lines.pop(); echoed += lines.length; });
socket.on('error', (error) => { console.log(JSON.stringify({ sent, echoed, error: error.code || error.message })); process.exit(0); });
socket.on('close', () => { console.log(JSON.stringify({ sent, echoed, error: 'closed' })); process.exit(0); });
`;

export interface ConnectionTally {
  sent: number;
  echoed: number;
  error: string | null;
}

export interface LongLivedConnection {
  /** Stops sending, waits for the last echoes, and returns the tally. */
  finish(): Promise<ConnectionTally>;
}

export function openLongLivedConnection(netns: string, host: string, port: number, everyMs = 20): LongLivedConnection {
  const child: ChildProcess = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', CLIENT, host, String(port), String(everyMs)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    async finish() {
      child.stdin!.write('stop\n');
      await exited;
      return JSON.parse(output.trim().split('\n').pop() ?? '{}') as ConnectionTally;
    },
  };
}
