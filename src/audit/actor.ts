// Who an audit entry names as its actor, from the caller's AuthContext. When a WorkOS admin is
// impersonating the user, the actor carries the impersonator beside it, and every entry written
// with this actor records `data.impersonator` (audit-log.ts): the chain says who really acted,
// not only whose identity they wore.
import type { AuthContext } from '../core/auth-context.ts';
import type { AuditActor } from './chain.ts';

/** An actor as callers pass it to appendAuditEvent; `impersonator` goes into the entry's data. */
export interface ActingActor extends AuditActor {
  impersonator?: { email: string; reason: string | null };
}

export function actorOf(auth: AuthContext): ActingActor {
  const impersonation = auth.impersonator
    ? { impersonator: { email: auth.impersonator.email, reason: auth.impersonator.reason ?? null } }
    : {};
  switch (auth.principal.type) {
    case 'user':
      return { type: 'user', id: auth.principal.userId, ...impersonation };
    case 'api_key':
      return { type: 'api_key', id: auth.principal.apiKeyId };
    case 'm2m':
      return { type: 'm2m_app', id: auth.principal.clientId };
  }
}
