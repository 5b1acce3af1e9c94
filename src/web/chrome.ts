// The frame every Gatehouse page shares: the document head (our one stylesheet), and the header
// that says who is signed in, to which organization, offers the switch to their other
// organizations (a form posting to /auth/switch-organization, so the organization's sign-in
// policy decides, not this page) and signs out. Server-rendered, no script.
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Kysely } from 'kysely';
import type { AuthContext } from '../core/auth-context.ts';
import type { Database } from '../store/schema.ts';
import { asSystem } from '../store/tenant.ts';
import { STYLESHEET_HREF } from './styles.ts';

export type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

export const DEV_MAILBOX_PATH = '/dev/mailbox';

/** The signed-in person as the header shows them. */
export interface Viewer {
  userId: string | null;
  email: string | null;
  name: string | null;
  organizationId: string;
  organizationName: string;
  role: string;
  isSuperAdmin: boolean;
  /** Every organization the person is an active member of, the current one included. */
  organizations: Array<{ id: string; name: string; role: string }>;
  /** `gatehouse dev` serves a mailbox page; the header links to it. */
  devMailbox: boolean;
  /** Set on an impersonated session: every page says so, under the header. */
  impersonator?: { email: string; reason?: string | null | undefined } | undefined;
}

/**
 * The person behind a credential and their organizations, read from the mirror. Reading a user's
 * memberships crosses tenants, which is why it runs as the system: it reads only rows of this
 * one user, the one the credential already proved.
 */
export async function loadViewer(
  db: Kysely<Database>,
  auth: AuthContext,
  options: { devMailbox?: boolean } = {},
): Promise<Viewer> {
  const userId =
    auth.principal.type === 'user'
      ? auth.principal.userId
      : auth.principal.type === 'api_key'
        ? auth.principal.ownerUserId
        : null;
  const found = await asSystem(
    db,
    'the signed-in person and their own organizations, for the page header',
    async (tx) => {
      const user = userId
        ? await tx
            .selectFrom('users')
            .select(['email', 'first_name', 'last_name'])
            .where('id', '=', userId)
            .executeTakeFirst()
        : undefined;
      const organizations = userId
        ? await tx
            .selectFrom('organization_memberships as m')
            .innerJoin('organizations as o', 'o.id', 'm.organization_id')
            .select(['o.id', 'o.name', 'm.role_slug'])
            .where('m.user_id', '=', userId)
            .where('m.status', '=', 'active')
            .where('m.deleted_at', 'is', null)
            .where('o.deleted_at', 'is', null)
            .orderBy('o.name')
            .execute()
        : [];
      const current = await tx
        .selectFrom('organizations')
        .select('name')
        .where('id', '=', auth.organizationId)
        .executeTakeFirst();
      return { user, organizations, currentName: current?.name ?? auth.organizationId };
    },
  );
  const name = [found.user?.first_name, found.user?.last_name].filter(Boolean).join(' ') || null;
  const organizations = found.organizations.map((o) => ({ id: o.id, name: o.name, role: o.role_slug }));
  if (!organizations.some((o) => o.id === auth.organizationId)) {
    organizations.unshift({ id: auth.organizationId, name: found.currentName, role: auth.role });
  }
  return {
    userId,
    email: found.user?.email ?? (auth.principal.type === 'user' ? (auth.principal.email ?? null) : null),
    name,
    organizationId: auth.organizationId,
    organizationName: found.currentName,
    role: auth.role,
    isSuperAdmin: auth.isSuperAdmin,
    organizations,
    devMailbox: options.devMailbox ?? false,
    ...(auth.impersonator ? { impersonator: auth.impersonator } : {}),
  };
}

/** The switcher: a select of the person's other organizations. Absent with only one. */
function organizationSwitcher(viewer: Viewer, returnTo = '/'): Markup | '' {
  const others = viewer.organizations.filter((o) => o.id !== viewer.organizationId);
  if (others.length === 0) return '';
  return html`<form method="post" action="/auth/switch-organization" class="switcher">
<label class="visually-hidden" for="switch-organization">Switch organization</label>
<select id="switch-organization" name="organizationId">
${others.map((o) => html`<option value="${o.id}">${o.name}</option>`)}
</select>
<input type="hidden" name="returnTo" value="${returnTo}">
<button type="submit" class="secondary">Switch</button>
</form>`;
}

export function headerBar(viewer: Viewer | null, options: { signInLink?: boolean } = {}): Markup {
  if (!viewer) {
    return html`<header class="top">
<a class="brand" href="/">Gatehouse</a>
${options.signInLink === false ? '' : html`<div class="end"><a class="button secondary" href="/auth/login">Sign in</a></div>`}
</header>`;
  }
  return html`<header class="top">
<a class="brand" href="/">Gatehouse</a>
<div class="who">
<span data-testid="signed-in-as">${viewer.name ?? viewer.email ?? 'Signed in'}${viewer.name && viewer.email ? html` <small>${viewer.email}</small>` : ''}</span>
<small data-testid="current-organization">${viewer.organizationName} · ${viewer.role}</small>
</div>
<div class="end">
${organizationSwitcher(viewer, '/admin')}
${viewer.isSuperAdmin ? html`<a href="/admin/tenants">All tenants</a>` : ''}
${viewer.devMailbox ? html`<a href="${DEV_MAILBOX_PATH}">Dev mailbox</a>` : ''}
<form method="post" action="/auth/logout"><button type="submit" class="secondary">Sign out</button></form>
</div>
</header>
${viewer.impersonator ? impersonationBanner(viewer.impersonator) : ''}`;
}

/**
 * On every page of an impersonated session, in the shared header: whose identity is worn and by
 * whom (threat: support staff acting unseen as a customer's user).
 */
function impersonationBanner(impersonator: NonNullable<Viewer['impersonator']>): Markup {
  return html`<p class="impersonation" role="alert" data-impersonator>
<strong>Impersonation:</strong> ${impersonator.email} is acting as this user${impersonator.reason ? html` (reason: ${impersonator.reason})` : ''}.
Everything done here is recorded under both names. API keys, SSO settings and roles cannot be changed.
</p>`;
}

export interface DocumentOptions {
  title: string;
  header: Markup;
  nav?: Markup | undefined;
  body: Markup;
  /** A single centred card (sign-in, home when signed out, mailbox). */
  narrow?: boolean;
  /** Extra attributes for tests on <main>, e.g. the response type of a sign-in page. */
  mainAttributes?: Markup | undefined;
  head?: Markup | undefined;
}

export function documentPage(o: DocumentOptions): Markup {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
${o.head ?? ''}
<title>${o.title} · Gatehouse</title>
<link rel="stylesheet" href="${STYLESHEET_HREF}">
</head>
<body>
${o.header}
${o.nav ?? ''}
<main${o.narrow ? html` class="narrow"` : ''} ${o.mainAttributes ?? ''}>
${o.body}
</main>
</body>
</html>`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
