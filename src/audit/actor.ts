// Who an audit entry names as its actor, from the caller's AuthContext.
import type { AuthContext } from '../core/auth-context.ts';
import type { AuditActor } from './chain.ts';

export function actorOf(auth: AuthContext): AuditActor {
  switch (auth.principal.type) {
    case 'user':
      return { type: 'user', id: auth.principal.userId };
    case 'api_key':
      return { type: 'api_key', id: auth.principal.apiKeyId };
    case 'm2m':
      return { type: 'm2m_app', id: auth.principal.clientId };
  }
}
