// The permission ceiling, as a pure decision: may this granter hand out these permissions?
// Threat: privilege escalation by delegation. Anyone who can shape roles (create or edit a custom
// role, change a member's role, invite, map a directory group, mint an API key, provision a
// tenant) could otherwise mint a principal stronger than themself, or raise themself. One rule
// holds for every path: what is granted is a subset of what the granter holds, nobody changes
// their own role, and nobody raises the role they hold. src/access/ceiling.ts applies it with the
// store (role lookup, audit of refusals); this file does no I/O so it can be tested exhaustively.

/** How a permission reaches a principal. Each is a path the ceiling guards. */
export type GrantPath =
  | 'role.create'
  | 'role.update'
  | 'member.role'
  | 'invitation'
  | 'group_mapping'
  | 'api_key'
  | 'provision'
  | 'directory';

export interface GrantRequest {
  path: GrantPath;
  /** Every permission the granted role (or key) will carry. Unknown slugs are never held, so never grantable. */
  permissions: readonly string[];
  /** The role being created, edited or assigned. */
  roleSlug?: string;
  /** member.role: the user whose role changes, and the permissions their current role carries. */
  targetUserId?: string;
  targetCurrent?: readonly string[];
  /** role.update: the permissions the role carries before the edit. */
  previous?: readonly string[];
}

export interface Granter {
  /** What the granter holds in the organization the grant lands in. */
  permissions: readonly string[];
  /** The role the granter holds there (null for the operator, who holds none). */
  role: string | null;
  /** The granter as a user, when a person is acting (for the "own role" rule). */
  userId: string | null;
}

export type GrantRefusal =
  | { ok: false; reason: 'exceeds_granter'; missing: string[] }
  | { ok: false; reason: 'own_role' }
  | { ok: false; reason: 'raises_held_role'; missing: string[] }
  | { ok: false; reason: 'target_outranks'; missing: string[] };

export type GrantDecision = { ok: true } | GrantRefusal;

const missingFrom = (wanted: readonly string[], held: readonly string[]): string[] => {
  const have = new Set(held);
  return [...new Set(wanted)].filter((p) => !have.has(p)).sort();
};

export function decideGrant(granter: Granter, request: GrantRequest): GrantDecision {
  // Changing one's own role, even downward, is refused: the change is another admin's to make,
  // and "downward" could still swap in a differently-shaped role.
  if (request.path === 'member.role' && granter.userId !== null && request.targetUserId === granter.userId) {
    return { ok: false, reason: 'own_role' };
  }
  // A member-manager with part of the permissions may not re-role someone who holds more.
  if (request.path === 'member.role' && request.targetCurrent) {
    const above = missingFrom(request.targetCurrent, granter.permissions);
    if (above.length > 0) return { ok: false, reason: 'target_outranks', missing: above };
  }
  const missing = missingFrom(request.permissions, granter.permissions);
  // The role the granter holds may be narrowed, never widened: every widening is a self-grant.
  if (request.path === 'role.update' && granter.role !== null && request.roleSlug === granter.role) {
    const added = missingFrom(request.permissions, request.previous ?? []);
    if (added.length > 0) return { ok: false, reason: 'raises_held_role', missing: added };
  }
  if (missing.length > 0) return { ok: false, reason: 'exceeds_granter', missing };
  return { ok: true };
}
