// Where a request comes from, for limits keyed by client (sign-up): the socket's peer address, or on
// Lambda the source address API Gateway saw. X-Forwarded-For is believed only for the number of
// proxies a setting says we sit behind: each appends the address it got the request from, so the
// client is that many entries from the right; anything further left is the client's own claim.
import type { Context } from 'hono';

interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string } };
}
interface LambdaBindings {
  requestContext?: { http?: { sourceIp?: string }; identity?: { sourceIp?: string } };
}

function peerAddress(c: Context): string | undefined {
  const env = c.env as (NodeBindings & LambdaBindings) | undefined;
  return env?.incoming?.socket?.remoteAddress ?? env?.requestContext?.http?.sourceIp ?? env?.requestContext?.identity?.sourceIp;
}

export function clientAddress(c: Context, trustedProxyHops: number): string {
  const peer = peerAddress(c) ?? 'unknown';
  if (trustedProxyHops === 0) return peer;
  const forwarded = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  // The peer is the last proxy; the entries it and the proxies before it appended are trusted.
  return forwarded[forwarded.length - trustedProxyHops] ?? forwarded[0] ?? peer;
}

/**
 * The network a client address stands for: an IPv4 address itself, an IPv6 address its /64 (one
 * subscriber's usual allocation, so walking through its addresses does not reset a limit).
 */
export function clientNetwork(address: string): string {
  const ipv4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (ipv4) return ipv4[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = address.includes('::') && tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups] : headGroups;
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}
