// What every mirror handler receives, and the few row helpers they share. Handlers run inside the
// inbox transaction: their mirror writes, audit entries and revocations commit or roll back with
// the inbox row (DESIGN.md §3.3).
import { appendAuditEvent } from '../audit/audit-log.ts';
import type { AuditActor, AuditTarget } from '../audit/chain.ts';
import type { z } from 'zod';
import type { RevocationEvent } from '../core/auth-context.ts';
import { AppError } from '../core/errors.ts';
import type { Tx } from '../store/tenant.ts';
import type { ProviderEvent } from './provider-event.ts';
import type { Version } from './version.ts';

/**
 * Where deprovisioning reaches credentials: published inside the transaction, honoured by every
 * instance once it commits. Production wires the sessions revocation bus (`publishRevocation`);
 * the interface keeps the mirror free of the sessions module's internals.
 */
export interface AccessRevoker {
  revoke(tx: Tx, event: RevocationEvent): Promise<void>;
  /** Marks the user's sessions and personal API keys revoked in the store (optional service). */
  revokeCredentials?(
    ctx: ApplyContext,
    input: { organizationId: string; userId: string; reason: string },
  ): Promise<void>;
  /**
   * Writes a role the directory decided (a group mapping) to the identity provider after commit,
   * so the provider's events and full reconciles converge on it (optional: no provider, no write).
   */
  writeMembershipRole?(ctx: ApplyContext, input: { organizationId: string; membershipId: string; role: string }): void;
  /** The provider ended one of its sessions: end ours bound to it (optional service). */
  endProviderSession?(ctx: ApplyContext, providerSessionId: string): Promise<void>;
}

export type MirrorKind =
  | 'organizations'
  | 'domains'
  | 'users'
  | 'memberships'
  | 'invitations'
  | 'connections'
  | 'directories'
  | 'directory_users'
  | 'directory_groups'
  | 'group_members';
export type MirrorChange = 'created' | 'updated' | 'deprovisioned' | 'unchanged';

export interface ApplyContext {
  tx: Tx;
  event: ProviderEvent;
  version: Version;
  access: AccessRevoker;
  /** Counts what a write did, for the reconciliation drift report. */
  note(kind: MirrorKind, change: MirrorChange): void;
  /**
   * Runs `task` after the transaction commits (never if it rolls back). The task handles its own
   * failure (the AccessRevoker reports it with context); one that still throws is rethrown by
   * runDeferred once every other task ran.
   */
  defer(task: () => Promise<unknown>): void;
  /** Organizations known to have a row in this transaction (saves a round trip per write). */
  knownOrganizations?: Set<string>;
}

export type ApplyOutcome = 'applied' | 'stale';
export type EventHandler = (ctx: ApplyContext) => Promise<ApplyOutcome>;

/**
 * Events can arrive before the organization or user they mention (no order is promised), and the
 * tenant tables reference both. A placeholder row with no version lets the dependent row land;
 * the entity's own event, whenever it comes, is newer than "no version" and fills it in.
 */
export async function ensureOrganization(
  ctx: Pick<ApplyContext, 'tx' | 'knownOrganizations'>,
  organizationId: string,
  name = organizationId,
): Promise<void> {
  if (ctx.knownOrganizations?.has(organizationId)) return;
  await ctx.tx
    .insertInto('organizations')
    .values({ id: organizationId, name })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  ctx.knownOrganizations?.add(organizationId);
}

/** Whether the organization has a row in the mirror and is not deleted (inside the caller's transaction). */
export async function organizationIsLive(tx: Tx, organizationId: string): Promise<boolean> {
  const org = await tx
    .selectFrom('organizations')
    .select('id')
    .where('id', '=', organizationId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return org !== undefined;
}

export async function ensureUser(tx: Tx, userId: string, email = ''): Promise<void> {
  await tx
    .insertInto('users')
    .values({ id: userId, email })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export function providerActor(event: ProviderEvent): AuditActor {
  return { type: 'provider_event', id: event.id };
}

export function directoryActor(directoryId: string): AuditActor {
  return { type: 'directory', id: directoryId };
}

export async function audit(
  ctx: ApplyContext,
  organizationId: string,
  type: string,
  actor: AuditActor,
  target: AuditTarget,
  data: Record<string, unknown> = {},
): Promise<void> {
  await appendAuditEvent(ctx.tx, {
    organizationId,
    type,
    actor,
    target,
    data: { ...data, providerEventId: ctx.event.id },
  });
}

export function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The event's data in the shape a handler expects; a mismatch is DIRECTORY_EVENT_INVALID naming the fields. */
export function parseData<T>(schema: z.ZodType<T>, ctx: ApplyContext): T {
  const parsed = schema.safeParse(ctx.event.data);
  if (!parsed.success)
    throw new AppError('DIRECTORY_EVENT_INVALID', `${ctx.event.event} carries data of an unexpected shape`, {
      details: { fields: parsed.error.issues.map((i) => i.path.join('.')) },
    });
  return parsed.data;
}

/**
 * Runs the tasks handlers deferred until after their transaction committed, every one of them even
 * when one fails, then rethrows the first failure: the committed mirror state stays, the caller
 * learns that a follow-up did not happen.
 */
export async function runDeferred(tasks: ReadonlyArray<() => Promise<unknown>>): Promise<void> {
  const failures: unknown[] = [];
  for (const task of tasks) {
    try {
      await task();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, `${failures.length} tasks after commit failed`);
}
