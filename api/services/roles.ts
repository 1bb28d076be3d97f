// The role ladder (viewer < editor < admin < owner): every write service checks it first.
import type { MemberRole } from '../../db/schema/members.ts';
import { ApiError } from '../errors/api-error.ts';

const roleRank: Record<MemberRole, number> = { viewer: 0, editor: 1, admin: 2, owner: 3 };

export function hasRole(role: MemberRole, atLeast: MemberRole): boolean {
  return roleRank[role] >= roleRank[atLeast];
}

export function requireRole(role: MemberRole, atLeast: MemberRole): void {
  if (!hasRole(role, atLeast)) throw new ApiError('FORBIDDEN', `this needs the ${atLeast} role; the key has ${role}`);
}
