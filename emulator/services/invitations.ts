// Invitations: an email address invited (optionally into an organization with a role). States
// pending -> accepted | revoked | expired; expiry is computed against the emulator clock so a
// clock offset in a test expires them without waiting.
import { z } from 'zod';
import { randomBytes } from 'node:crypto';
import type { EmulatorContext } from './context.ts';
import type { InvitationWire, UserWire } from '../state/types.ts';
import { badRequest, notFound } from './errors.ts';
import { parseInput } from './input.ts';
import { paginate, type ListParams } from './pagination.ts';
import { requireOrganization } from './organization-lookup.ts';
import { createUser, findUserByEmail, requireUser } from './users.ts';
import { assertRoleSlugs, DEFAULT_ROLE_SLUG } from './roles.ts';
import { findMembership, insertMembership } from './memberships.ts';

const SendInvitationInput = z.object({
  email: z.email(),
  organization_id: z.string().min(1).optional(),
  expires_in_days: z.number().int().min(1).max(30).optional(),
  inviter_user_id: z.string().min(1).optional(),
  role_slug: z.string().min(1).optional(),
  locale: z.string().optional(),
});

const DAY_MS = 24 * 3600 * 1000;

/** Marks a pending invitation expired once its time has passed. */
function refresh(ctx: EmulatorContext, invitation: InvitationWire): InvitationWire {
  if (invitation.state === 'pending' && Date.parse(invitation.expires_at) <= ctx.world.clock.nowMs()) {
    invitation.state = 'expired';
    invitation.updated_at = ctx.world.nowIso();
  }
  return invitation;
}

function requireInvitation(ctx: EmulatorContext, id: string): InvitationWire {
  const invitation = ctx.world.invitations.get(id);
  if (!invitation) throw notFound('Invitation', id);
  return refresh(ctx, invitation);
}

export function findInvitationByToken(ctx: EmulatorContext, token: string): InvitationWire | undefined {
  for (const invitation of ctx.world.invitations.values())
    if (invitation.token === token) return refresh(ctx, invitation);
  return undefined;
}

function mail(ctx: EmulatorContext, invitation: InvitationWire): void {
  const org = invitation.organization_id ? ctx.world.organizations.get(invitation.organization_id) : undefined;
  const where = org ? ` to join ${org.name}` : '';
  ctx.world.sendEmail(
    'invitation',
    invitation.email,
    `You have been invited${where}`,
    `Accept the invitation: ${invitation.accept_invitation_url}`,
    { invitation_id: invitation.id, token: invitation.token, url: invitation.accept_invitation_url },
  );
}

export function sendInvitation(ctx: EmulatorContext, body: unknown): InvitationWire {
  const input = parseInput(SendInvitationInput, body);
  const { world } = ctx;
  const email = input.email.toLowerCase();
  if (input.organization_id) {
    requireOrganization(ctx, input.organization_id);
    if (input.role_slug) assertRoleSlugs(ctx, input.organization_id, [input.role_slug], 'role_slug', 400);
    const existing = findUserByEmail(ctx, email);
    if (existing && findMembership(ctx, existing.id, input.organization_id)?.status === 'active') {
      throw badRequest('user_already_organization_member', 'The user is already a member of this organization.');
    }
  }
  if (input.inviter_user_id) requireUser(ctx, input.inviter_user_id);
  for (const other of world.invitations.values()) {
    if (
      other.email === email &&
      other.organization_id === (input.organization_id ?? null) &&
      refresh(ctx, other).state === 'pending'
    ) {
      throw badRequest(
        input.organization_id ? 'email_already_invited_to_organization' : 'email_already_invited',
        'An invitation for this email is already pending.',
      );
    }
  }
  const now = world.nowIso();
  const token = randomBytes(18).toString('base64url');
  const invitation: InvitationWire = {
    object: 'invitation',
    id: world.newId('invitation'),
    email,
    state: 'pending',
    accepted_at: null,
    revoked_at: null,
    expires_at: new Date(world.clock.nowMs() + (input.expires_in_days ?? 7) * DAY_MS).toISOString(),
    organization_id: input.organization_id ?? null,
    inviter_user_id: input.inviter_user_id ?? null,
    accepted_user_id: null,
    role_slug: input.organization_id ? (input.role_slug ?? DEFAULT_ROLE_SLUG) : null,
    token,
    accept_invitation_url: `${ctx.config.baseUrl}/invite?invitation_token=${token}`,
    created_at: now,
    updated_at: now,
  };
  world.invitations.set(invitation.id, invitation);
  world.emit('invitation.created', withoutToken(invitation));
  mail(ctx, invitation);
  return { ...invitation };
}

/** Events never carry the invitation token: a webhook log is not a place for a credential. */
function withoutToken(invitation: InvitationWire) {
  const { token: _token, accept_invitation_url: _url, ...rest } = invitation;
  return rest;
}

export function getInvitation(ctx: EmulatorContext, id: string): InvitationWire {
  return { ...requireInvitation(ctx, id) };
}

export function getInvitationByToken(ctx: EmulatorContext, token: string): InvitationWire {
  const invitation = findInvitationByToken(ctx, token);
  if (!invitation) throw notFound('Invitation', 'token');
  return { ...invitation };
}

export function listInvitations(
  ctx: EmulatorContext,
  filter: { email?: string; organization_id?: string },
  params: ListParams,
) {
  let items = [...ctx.world.invitations.values()].map((i) => refresh(ctx, i));
  if (filter.email) items = items.filter((i) => i.email === filter.email!.toLowerCase());
  if (filter.organization_id) items = items.filter((i) => i.organization_id === filter.organization_id);
  return paginate(items, params, (i) => ({ ...i }));
}

function assertPending(invitation: InvitationWire): void {
  if (invitation.state !== 'pending') throw badRequest('invite_not_pending', `The invitation is ${invitation.state}.`);
}

/**
 * Accepts a pending invitation for `user` (or the user with its email, created if missing):
 * the invitation turns accepted and, for an organization invitation, the membership becomes
 * active with the invited role. Shared with the authenticate grants' `invitation_token`.
 */
export function acceptInvitationFor(ctx: EmulatorContext, invitation: InvitationWire, user?: UserWire): InvitationWire {
  assertPending(invitation);
  const { world } = ctx;
  const accepting =
    user ??
    findUserByEmail(ctx, invitation.email) ??
    world.users.get(createUser(ctx, { email: invitation.email, email_verified: true }).id)!;
  if (accepting.email !== invitation.email)
    throw badRequest('invitation_cannot_be_used_for_email', 'The invitation was sent to another email address.');
  if (invitation.organization_id) {
    const membership = findMembership(ctx, accepting.id, invitation.organization_id);
    const roleSlugs = [invitation.role_slug ?? DEFAULT_ROLE_SLUG];
    if (!membership) {
      insertMembership(ctx, { userId: accepting.id, orgId: invitation.organization_id, roleSlugs, status: 'active' });
    } else if (membership.status !== 'active') {
      membership.status = 'active';
      membership.updated_at = world.nowIso();
      world.emit('organization_membership.updated', membership);
    }
  }
  const now = world.nowIso();
  invitation.state = 'accepted';
  invitation.accepted_at = now;
  invitation.accepted_user_id = accepting.id;
  invitation.updated_at = now;
  world.emit('invitation.accepted', withoutToken(invitation));
  return { ...invitation };
}

export function acceptInvitation(ctx: EmulatorContext, id: string): InvitationWire {
  return acceptInvitationFor(ctx, requireInvitation(ctx, id));
}

export function revokeInvitation(ctx: EmulatorContext, id: string): InvitationWire {
  const invitation = requireInvitation(ctx, id);
  if (invitation.state !== 'pending') throw badRequest('invite_not_pending', `The invitation is ${invitation.state}.`);
  const now = ctx.world.nowIso();
  invitation.state = 'revoked';
  invitation.revoked_at = now;
  invitation.updated_at = now;
  ctx.world.emit('invitation.revoked', withoutToken(invitation));
  return { ...invitation };
}

/** Resending mails a pending invitation again; WorkOS refuses expired, revoked and accepted ones. */
export function resendInvitation(ctx: EmulatorContext, id: string): InvitationWire {
  const invitation = requireInvitation(ctx, id);
  if (invitation.state !== 'pending') {
    const code =
      invitation.state === 'expired'
        ? 'invite_expired'
        : invitation.state === 'revoked'
          ? 'invite_revoked'
          : 'invite_accepted';
    throw badRequest(code, `The invitation is ${invitation.state}.`);
  }
  const { world } = ctx;
  invitation.updated_at = world.nowIso();
  world.emit('invitation.resent', withoutToken(invitation));
  mail(ctx, invitation);
  return { ...invitation };
}
