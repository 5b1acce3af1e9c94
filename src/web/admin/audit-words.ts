// The audit trail in words: "API key created" by "Alice Anders" on "bob@acme.test" rather than
// `api_key.created` by `user_01H…` on `user_01J…`. The raw type and ids stay one hover away
// (title attributes) and in the export, which is what a verifier reads.
import type { AuditActor, AuditTarget } from '../../audit/chain.ts';

const OBJECTS: Record<string, string> = {
  sso: 'SSO',
  api_key: 'API key',
  auth: '',
  superadmin: 'Super-admin',
  admin_portal: 'Admin portal',
  dsync: 'Directory',
  directory: 'Directory',
  member: 'Member',
  membership: 'Membership',
  invitation: 'Invitation',
  role: 'Role',
  session: 'Session',
  tenant: 'Tenant',
  organization: 'Organization',
  user: 'User',
  connection: 'Connection',
};

const SPECIAL: Record<string, string> = {
  'auth.sso_required': 'Sign-in refused: SSO required',
  'auth.membership_deactivated': 'Sign-in refused: membership deactivated',
  'superadmin.entered': 'Super-admin entered this organization',
  'membership.auto_joined': 'Joined by verified domain',
};

export function describeAuditType(type: string): string {
  if (SPECIAL[type]) return SPECIAL[type];
  const [object = '', ...rest] = type.split('.');
  const verb = rest
    .join(' ')
    .replace(/_/g, ' ')
    .replace(/\bsso\b/g, 'SSO');
  const noun = OBJECTS[object] ?? object.replace(/_/g, ' ');
  const text = [noun, verb].filter(Boolean).join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Who people and keys are, for the rows on one page: ids to display names. */
export interface AuditNames {
  users: Map<string, string>;
  apiKeys: Map<string, string>;
}

export function describeActor(actor: AuditActor, names: AuditNames): string {
  switch (actor.type) {
    case 'user':
      return (actor.id && names.users.get(actor.id)) ?? 'a person';
    case 'api_key':
      return `API key ${(actor.id && names.apiKeys.get(actor.id)) ?? ''}`.trim();
    case 'm2m_app':
      return 'a machine client';
    case 'provider_event':
      return 'WorkOS';
    case 'directory':
      return 'Directory sync';
    case 'system':
      return actor.id?.startsWith('cli:') ? `Gatehouse (${actor.id.slice(4)})` : 'Gatehouse';
    default:
      return String(actor.type);
  }
}

export function describeTarget(target: AuditTarget | null, data: unknown, names: AuditNames): string {
  if (!target) return '—';
  const email =
    typeof data === 'object' && data !== null && typeof (data as { email?: unknown }).email === 'string'
      ? (data as { email: string }).email
      : null;
  switch (target.type) {
    case 'user':
      return names.users.get(target.id) ?? email ?? 'a person';
    case 'api_key':
      return `API key ${names.apiKeys.get(target.id) ?? ''}`.trim();
    case 'invitation':
      return email ? `invitation to ${email}` : 'an invitation';
    case 'session':
      return 'a session';
    case 'organization':
      return 'the organization';
    default: {
      // The id is in the cell's title; the words say what kind of thing it was.
      const named =
        typeof data === 'object' && data !== null
          ? ((data as Record<string, unknown>).domain ?? (data as Record<string, unknown>).name)
          : undefined;
      return `${target.type.replace(/_/g, ' ')}${typeof named === 'string' ? ` ${named}` : ''}`;
    }
  }
}
