// Users: CRUD, lookup by email / external id, passwords. Emits user.created/updated/deleted
// with the user's wire shape as WorkOS does.
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import type { UserWire } from '../state/types.ts';
import { hashPassword } from '../state/password.ts';
import { EmulatorError, badRequest, notFound, unprocessable } from './errors.ts';
import { parseInput } from './input.ts';
import { paginate, type ListParams } from './pagination.ts';
import { serializeUser } from './serialize.ts';

const metadata = z.record(z.string(), z.string()).optional();

const CreateUserInput = z.object({
  email: z.email(),
  password: z.string().min(1).optional(),
  password_hash: z.string().optional(),
  password_hash_type: z.string().optional(),
  /** The full name the v11 SDK sends beside (or instead of) first and last name. */
  name: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  email_verified: z.boolean().optional(),
  external_id: z.string().nullish(),
  metadata,
});

const UpdateUserInput = z.object({
  email: z.email().optional(),
  password: z.string().min(1).optional(),
  name: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  email_verified: z.boolean().optional(),
  external_id: z.string().nullish(),
  metadata,
  locale: z.string().nullish(),
});

/** The name WorkOS shows when none was given: first and last name joined, or null. */
function fullName(first: string | null | undefined, last: string | null | undefined): string | null {
  return [first, last].filter(Boolean).join(' ') || null;
}

export function findUserByEmail(ctx: EmulatorContext, email: string): UserWire | undefined {
  const wanted = email.toLowerCase();
  for (const user of ctx.world.users.values()) if (user.email === wanted) return user;
  return undefined;
}

export function requireUser(ctx: EmulatorContext, id: string): UserWire {
  const user = ctx.world.users.get(id);
  if (!user) throw notFound('User', id);
  return user;
}

export function createUser(ctx: EmulatorContext, body: unknown): UserWire {
  const input = parseInput(CreateUserInput, body);
  const { world } = ctx;
  if (input.password && input.password_hash)
    throw badRequest('password_and_password_hash_provided', 'Provide password or password_hash, not both.');
  // Imported hashes (bcrypt, firebase-scrypt, …) cannot be checked offline without their
  // libraries; refusing them beats silently creating a user who can never sign in.
  if (input.password_hash || input.password_hash_type)
    throw badRequest('invalid_password_hash', 'The emulator does not import password hashes; send password instead.');
  const email = input.email.toLowerCase();
  if (findUserByEmail(ctx, email)) {
    throw new EmulatorError(400, {
      code: 'user_creation_error',
      message: 'Could not create user.',
      errors: [{ code: 'email_not_available', message: 'This email is not available.' }],
    });
  }
  if (input.external_id && [...world.users.values()].some((u) => u.external_id === input.external_id)) {
    throw new EmulatorError(400, {
      code: 'user_creation_error',
      message: 'Could not create user.',
      errors: [{ code: 'external_id_already_used', message: 'This external_id is already in use.' }],
    });
  }
  const now = world.nowIso();
  const user: UserWire = {
    object: 'user',
    id: world.newId('user'),
    first_name: input.first_name ?? null,
    last_name: input.last_name ?? null,
    name: input.name ?? fullName(input.first_name, input.last_name),
    profile_picture_url: null,
    email,
    email_verified: input.email_verified ?? false,
    external_id: input.external_id ?? null,
    metadata: input.metadata ?? {},
    last_sign_in_at: null,
    locale: null,
    created_at: now,
    updated_at: now,
  };
  world.users.set(user.id, user);
  if (input.password) world.passwordHashes.set(user.id, hashPassword(input.password));
  world.emit('user.created', user);
  return serializeUser(user);
}

export function getUser(ctx: EmulatorContext, id: string): UserWire {
  return serializeUser(requireUser(ctx, id));
}

export function getUserByExternalId(ctx: EmulatorContext, externalId: string): UserWire {
  for (const user of ctx.world.users.values()) if (user.external_id === externalId) return serializeUser(user);
  throw notFound('User', externalId);
}

export function listUsers(
  ctx: EmulatorContext,
  filter: { email?: string; organization_id?: string; organization?: string },
  params: ListParams,
) {
  const { world } = ctx;
  // `organization` is the deprecated name of `organization_id`: applied, and refused when both disagree.
  if (filter.organization && filter.organization_id && filter.organization !== filter.organization_id) {
    throw unprocessable([
      {
        field: 'organization',
        code: 'conflicting_filters',
        message: 'organization (deprecated) and organization_id name different organizations',
      },
    ]);
  }
  filter = {
    ...filter,
    ...(filter.organization && !filter.organization_id ? { organization_id: filter.organization } : {}),
  };
  let users = [...world.users.values()];
  if (filter.email) users = users.filter((u) => u.email === filter.email!.toLowerCase());
  if (filter.organization_id) {
    const members = new Set(
      [...world.memberships.values()].filter((m) => m.organization_id === filter.organization_id).map((m) => m.user_id),
    );
    users = users.filter((u) => members.has(u.id));
  }
  return paginate(users, params, serializeUser);
}

export function updateUser(ctx: EmulatorContext, id: string, body: unknown): UserWire {
  const input = parseInput(UpdateUserInput, body);
  const user = requireUser(ctx, id);
  const { world } = ctx;
  if (input.email !== undefined) {
    const email = input.email.toLowerCase();
    const other = findUserByEmail(ctx, email);
    if (other && other.id !== id) throw badRequest('email_not_available', 'This email is not available.');
    if (email !== user.email) user.email_verified = false;
    user.email = email;
  }
  const derivedName = user.name === fullName(user.first_name, user.last_name);
  if (input.first_name !== undefined) user.first_name = input.first_name;
  if (input.last_name !== undefined) user.last_name = input.last_name;
  // An explicit name wins; a name that only echoed first and last name follows them.
  if (input.name !== undefined) user.name = input.name;
  else if (derivedName) user.name = fullName(user.first_name, user.last_name);
  if (input.email_verified !== undefined) user.email_verified = input.email_verified;
  if (input.external_id) {
    for (const other of world.users.values()) {
      if (other.id !== id && other.external_id === input.external_id)
        throw badRequest('external_id_already_used', 'This external_id is already in use.');
    }
  }
  if (input.external_id !== undefined) user.external_id = input.external_id;
  if (input.metadata !== undefined) user.metadata = input.metadata;
  if (input.locale !== undefined) user.locale = input.locale;
  if (input.password) world.passwordHashes.set(id, hashPassword(input.password));
  user.updated_at = world.nowIso();
  world.emit('user.updated', user);
  return serializeUser(user);
}

/** Deleting a user also removes their memberships and ends their sessions, as WorkOS does. */
export function deleteUser(ctx: EmulatorContext, id: string): void {
  const user = requireUser(ctx, id);
  const { world } = ctx;
  for (const membership of [...world.memberships.values()]) {
    if (membership.user_id !== id) continue;
    world.memberships.delete(membership.id);
    world.emit('organization_membership.deleted', membership);
  }
  for (const session of world.sessions.values()) {
    if (session.user_id === id && session.status === 'active') {
      session.status = 'revoked';
      session.ended_at = world.nowIso();
    }
  }
  for (const token of world.refreshTokens.values()) if (token.user_id === id) token.revoked = true;
  world.users.delete(id);
  world.passwordHashes.delete(id);
  world.emit('user.deleted', user);
}
