// The admin pages' frame: server-rendered HTML (hono/html escapes every interpolation), no client
// JavaScript, labelled forms that work from the keyboard, one stylesheet inline so nothing loads
// from elsewhere.
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { AuthContext } from '../../core/auth-context.ts';

export type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

export const NAV = [
  ['sso', 'SSO', 'Settings → Security → SSO'],
  ['members', 'Members', 'Members and invitations'],
  ['roles', 'Roles', 'Roles and directory group mappings'],
  ['api-keys', 'API keys', 'API keys'],
  ['sessions', 'Sessions', 'Sessions'],
  ['audit', 'Audit trail', 'Audit trail'],
] as const;

export type Section = (typeof NAV)[number][0] | 'tenants';

const STYLE = `
  :root { font-family: system-ui, sans-serif; color: #1d2433; background: #f6f7f9; }
  body { margin: 0; } header { background: #1d2433; color: #fff; padding: .75rem 1.5rem; display: flex; gap: 1rem; align-items: center; }
  header a { color: #fff; } nav { display: flex; gap: .25rem; flex-wrap: wrap; padding: .5rem 1.5rem; background: #e8ebf0; }
  nav a { padding: .4rem .75rem; border-radius: .3rem; color: #1d2433; text-decoration: none; }
  nav a[aria-current=page] { background: #1d2433; color: #fff; }
  main { padding: 1.5rem; max-width: 72rem; } table { border-collapse: collapse; width: 100%; background: #fff; }
  th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid #e1e4ea; vertical-align: top; }
  .notice { background: #e6f4ea; border: 1px solid #9ccfa9; padding: .6rem .8rem; border-radius: .3rem; }
  .error { background: #fdecea; border: 1px solid #f1a8a0; padding: .6rem .8rem; border-radius: .3rem; }
  .empty { color: #5b6475; font-style: italic; } form.inline { display: inline; }
  label { display: block; margin: .5rem 0 .2rem; font-weight: 600; } input, select, textarea { font: inherit; padding: .35rem; }
  button { font: inherit; padding: .35rem .8rem; cursor: pointer; } button:focus, a:focus, input:focus, select:focus { outline: 3px solid #5b8def; }
  code { background: #eef0f4; padding: 0 .25rem; border-radius: .2rem; } .muted { color: #5b6475; }
  td code { overflow-wrap: anywhere; } td.nowrap, td.nowrap code { white-space: nowrap; overflow-wrap: normal; }
  .impersonation { background: #fff4d6; border-bottom: 2px solid #d9a400; padding: .6rem 1.5rem; margin: 0; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
`;

export interface PageOptions {
  title: string;
  auth: AuthContext;
  orgId: string;
  orgName: string;
  section: Section;
  notice?: string | undefined;
  error?: string | undefined;
  body: Markup;
}

export function adminHref(orgId: string, section: string): string {
  return `/admin/orgs/${encodeURIComponent(orgId)}/${section}`;
}

export function page(o: PageOptions): Markup {
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · ${o.orgName} · Gatehouse</title><style>${raw(STYLE)}</style></head>
<body>
<header><strong>Gatehouse</strong><span>${o.orgName}</span>
${o.auth.isSuperAdmin ? html`<a href="/admin/tenants">Switch tenant</a>` : ''}
<form class="inline" method="post" action="/auth/logout" style="margin-left:auto"><button type="submit">Sign out</button></form></header>
${o.auth.impersonator ? impersonationBanner(o.auth.impersonator) : ''}
<nav aria-label="Organization settings">
${NAV.map(([key, label]) => html`<a href="${adminHref(o.orgId, key)}" ${o.section === key ? raw('aria-current="page"') : ''}>${label}</a>`)}
</nav>
<main>
<h1>${o.title}</h1>
${o.notice ? html`<p class="notice" role="status">${o.notice}</p>` : ''}
${o.error ? html`<p class="error" role="alert">${o.error}</p>` : ''}
${o.body}
</main>
</body></html>`;
}

/** On every page of an impersonated session: whose identity is worn, and by whom. */
function impersonationBanner(impersonator: NonNullable<AuthContext['impersonator']>): Markup {
  return html`<p class="impersonation" role="alert" data-impersonator>
<strong>Impersonation:</strong> ${impersonator.email} is acting as this user${impersonator.reason ? html` (reason: ${impersonator.reason})` : ''}.
Everything done here is recorded under both names. API keys, SSO settings and roles cannot be changed.
</p>`;
}

export function formatTime(value: Date | string | null | undefined): string {
  if (!value) return '—';
  const d = typeof value === 'string' ? new Date(value) : value;
  return d.toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}
