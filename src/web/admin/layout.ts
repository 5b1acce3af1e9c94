// The admin pages' frame: server-rendered HTML (hono/html escapes every interpolation), no client
// JavaScript, labelled forms that work from the keyboard, the shared header and stylesheet
// (src/web/chrome.ts, src/web/styles.ts), and navigation to the sections the person may use.
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { AuthContext } from '../../core/auth-context.ts';
import { documentPage, headerBar, type Viewer } from '../chrome.ts';

export type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

export const NAV = [
  ['sso', 'SSO', 'Settings → Security → SSO'],
  ['members', 'Members', 'Members and invitations'],
  ['roles', 'Roles', 'Roles and directory group mappings'],
  ['directories', 'Directories', 'Directories (SCIM provisioning)'],
  ['api-keys', 'API keys', 'API keys'],
  ['sessions', 'Sessions', 'Sessions'],
  ['audit', 'Audit trail', 'Audit trail'],
] as const;

export type Section = (typeof NAV)[number][0] | 'tenants';

export interface PageOptions {
  title: string;
  auth: AuthContext;
  orgId: string;
  orgName: string;
  section: Section;
  notice?: string | undefined;
  error?: string | undefined;
  body: Markup;
  /** The signed-in person for the header; without it the header names only the organization. */
  viewer?: Viewer | undefined;
  /** The sections the person may open; the others are not linked. Absent: all. */
  sections?: readonly string[] | undefined;
}

export function adminHref(orgId: string, section: string): string {
  return `/admin/orgs/${encodeURIComponent(orgId)}/${section}`;
}

export function page(o: PageOptions): Markup {
  const viewer: Viewer = o.viewer ?? {
    userId: null,
    email: null,
    name: null,
    organizationId: o.orgId,
    organizationName: o.orgName,
    role: o.auth.role,
    isSuperAdmin: o.auth.isSuperAdmin,
    organizations: [],
    devMailbox: false,
    ...(o.auth.impersonator ? { impersonator: o.auth.impersonator } : {}),
  };
  const visible = NAV.filter(([key]) => !o.sections || o.sections.includes(key));
  const nav =
    o.section === 'tenants'
      ? html``
      : html`<nav class="sections" aria-label="Organization settings">
${visible.map(([key, label]) => html`<a href="${adminHref(o.orgId, key)}" ${o.section === key ? raw('aria-current="page"') : ''}>${label}</a>`)}
</nav>`;
  return documentPage({
    title: `${o.title} · ${o.orgName}`,
    header: headerBar(viewer),
    nav,
    body: html`<h1>${o.title}</h1>
${o.orgId !== o.auth.organizationId ? html`<p class="warning">You are in ${o.orgName} as a super-admin; your entry is recorded in its audit trail.</p>` : ''}
${o.notice ? html`<p class="notice" role="status">${o.notice}</p>` : ''}
${o.error ? html`<p class="error" role="alert">${o.error}</p>` : ''}
${o.body}`,
  });
}

export function formatTime(value: Date | string | null | undefined): string {
  if (!value) return '—';
  const d = typeof value === 'string' ? new Date(value) : value;
  return `${d.toISOString().replace('T', ' ').slice(0, 19)} UTC`;
}
