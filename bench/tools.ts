// The commands the throughput comparison runs, installed from Debian's packages when missing (the
// bench runs as root; the machines this project runs on reach Debian's mirrors).
import { execFileSync } from 'node:child_process';
import { onPath } from '../lab/net/exec.ts';
import { progress } from './progress.ts';

const PACKAGES: Readonly<Record<string, string>> = { iperf3: 'iperf3', iptables: 'iptables', nft: 'nftables', gcc: 'gcc' };

/** Installs the packages of missing commands; throws with apt-get's output when that fails. */
export function ensureTools(): void {
  const missing = Object.keys(PACKAGES).filter((command) => !onPath(command));
  if (missing.length === 0) return;
  const packages = missing.map((command) => PACKAGES[command]!);
  progress(`installing ${packages.join(', ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'pipe'], env });
    execFileSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: ['ignore', 'ignore', 'pipe'], env });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`could not install ${packages.join(', ')} (apt-get: ${stderr || (error as Error).message}); install them by hand and run again`);
  }
}
