// Where a program runs and which policy it enforces. On the host side of a pod's veth, tc ingress
// sees packets leaving the pod (the pod's egress policy; the remote end is the destination) and tc
// egress sees packets entering it (the pod's ingress policy; the remote end is the source).
import type { Direction as AttachDirection } from '../../../bpf/kernel/attach/attachment.ts';
import type { Direction as PolicyDirection } from '../../../policy/ir.ts';

export type Hook = 'from-pod' | 'to-pod';

export const hookOf = (direction: PolicyDirection): Hook => (direction === 'egress' ? 'from-pod' : 'to-pod');

export const policyDirectionOf = (hook: Hook): PolicyDirection => (hook === 'from-pod' ? 'egress' : 'ingress');

/** The tc/tcx attach point on the host-side veth. */
export const attachDirectionOf = (hook: Hook): AttachDirection => (hook === 'from-pod' ? 'ingress' : 'egress');

/** Packet fields as the endpoint sees them: which of source/destination is the pod's own end. */
export function endsOf(hook: Hook): { local: 'src' | 'dst'; remote: 'src' | 'dst' } {
  return hook === 'from-pod' ? { local: 'src', remote: 'dst' } : { local: 'dst', remote: 'src' };
}
