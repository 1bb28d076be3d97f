// Which host-side interface belongs to a pod is the CNI plugin's choice, so it is pluggable. The
// default is Calico's: "cali" + the first 11 hex digits of SHA-1("<namespace>.<pod name>"), which
// fits Linux's 15-character interface names and is what calico-node expects to find.
import { createHash } from 'node:crypto';

export type HostInterfaceNamer = (pod: { namespace: string; name: string }) => string | undefined;

export const calicoHostInterface: HostInterfaceNamer = ({ namespace, name }) =>
  `cali${createHash('sha1').update(`${namespace}.${name}`).digest('hex').slice(0, 11)}`;
