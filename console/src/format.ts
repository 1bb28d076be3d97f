// Display helpers shared by the pages: times, relative ages, byte counts, bit rates, protocols.
export function formatTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

export function age(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1_000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3_600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3_600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}

const PROTOCOLS: Record<number, string> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6', 132: 'SCTP' };

export function protocolName(protocol: number): string {
  return PROTOCOLS[protocol] ?? String(protocol);
}

export function bytes(count: number): string {
  if (count < 1024) return `${count} B`;
  if (count < 1_048_576) return `${(count / 1024).toFixed(1)} KiB`;
  return `${(count / 1_048_576).toFixed(1)} MiB`;
}

/** A rate in bit/s, in the unit that reads best. */
export function bitRate(bits: number): string {
  if (bits >= 1e9) return `${Number((bits / 1e9).toFixed(2))} Gbit/s`;
  if (bits >= 1e6) return `${Number((bits / 1e6).toFixed(2))} Mbit/s`;
  if (bits >= 1e3) return `${Number((bits / 1e3).toFixed(2))} kbit/s`;
  return `${Math.round(bits)} bit/s`;
}
