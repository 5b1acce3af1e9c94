// The admin pages under /admin/orgs/{orgId}/{section}. Each section is one AdminPage: a render
// function and named form actions. The walls are the API's: a credential (else to sign-in), the
// organization in the path must be the caller's (404 otherwise; super-admins may enter any, and
// each entry is audited), then the section's permission (403). Actions answer with a redirect
// (post/redirect/get) carrying a notice, or re-render with the error and a 4xx status.
import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import type { AuthContext } from '../../core/auth-context.ts';
import { AppError, isAppError } from '../../core/errors.ts';
import type { Permission } from '../../core/permissions.ts';
import type { Store } from '../../store/store.ts';
import { inTenant } from '../../store/tenant.ts';
import { listTenants } from '../../organizations/tenants.ts';
import type { IdentityProvider } from '../../identity/provider.ts';
import type { OrganizationAdmin } from '../../identity/organization-admin.ts';
import type { SessionService } from '../../sessions/session-service.ts';
import type { AccessRevoker } from '../../directory/context.ts';
import type { SsoService } from '../../sso/sso-config.ts';
import type { AuditKeyRing } from '../../audit/checkpoint.ts';
import { adminHref, page, type Markup, type Section } from './layout.ts';

/** The services pages act through: the same ones the API routes use. */
export interface PageServices {
  sso?: SsoService | undefined;
  provider?: Pick<IdentityProvider, 'getConnection'> | undefined;
  organizationAdmin?: OrganizationAdmin | undefined;
  sessions?: SessionService | undefined;
  accessRevoker?: AccessRevoker | undefined;
  syncNow?: ((organizationId: string) => Promise<void>) | undefined;
  publicUrl?: string | undefined;
  auditKeys?: AuditKeyRing | undefined;
}

export interface PageContext {
  store: Store;
  auth: AuthContext;
  orgId: string;
  c: Context;
  services: PageServices;
}

/**
 * What a form action answers: a notice for the redirect back to its page (post/redirect/get), a
 * redirect elsewhere (the admin portal), or a page shown once without a redirect (a new API key's
 * secret must not sit in a URL or a browser history entry).
 */
export type ActionResult = string | { redirect: string } | { notice: string; reveal: Markup };

export interface AdminPage {
  section: Section;
  title: string;
  permission: Permission;
  render(ctx: PageContext): Promise<Markup>;
  /** Form actions: return a notice for the redirect. Throw AppError for a user-facing failure. */
  actions?: Record<string, { permission: Permission; run(ctx: PageContext, form: Record<string, string>): Promise<ActionResult> }>;
}

export interface AdminPagesDeps {
  store: Store;
  authenticate(c: Context): Promise<AuthContext>;
  onSuperAdminEntry?(auth: AuthContext, organizationId: string, c: Context): Promise<void>;
  /** Extra middleware for state-changing requests (the CSRF check). */
  guardStateChange?(c: Context): void | Promise<void>;
  services?: PageServices;
}

export function createAdminPages(deps: AdminPagesDeps, pages: AdminPage[]): Hono {
  const app = new Hono();
  const bySection = new Map(pages.map((p) => [p.section as string, p]));

  const authed = async (c: Context): Promise<AuthContext | Response> => {
    try {
      return await deps.authenticate(c);
    } catch (error) {
      if (isAppError(error) && error.status === 401) return c.redirect(`/auth/login?returnTo=${encodeURIComponent(new URL(c.req.url).pathname)}`);
      throw error;
    }
  };

  const enter = async (c: Context, auth: AuthContext, orgId: string): Promise<string> => {
    const org = await inTenant(deps.store.db, orgId, (tx) => tx.selectFrom('organizations').select('name').where('id', '=', orgId).where('deleted_at', 'is', null).executeTakeFirst());
    if (orgId !== auth.organizationId) {
      if (!auth.isSuperAdmin || !org) throw new AppError('RESOURCE_NOT_FOUND', 'Not found');
      await deps.onSuperAdminEntry?.(auth, orgId, c);
    }
    if (!org) throw new AppError('RESOURCE_NOT_FOUND', 'Not found');
    return org.name;
  };

  const allowed = (auth: AuthContext, orgId: string, permission: Permission) =>
    auth.permissions.includes(permission) || (auth.isSuperAdmin && orgId !== auth.organizationId);

  const services = deps.services ?? {};
  const render = async (c: Context, auth: AuthContext, orgId: string, orgName: string, p: AdminPage, status: 200 | 400 | 403 | 409 | 422, error?: string, reveal?: { notice: string; reveal: Markup }) => {
    const ctx: PageContext = { store: deps.store, auth, orgId, c, services };
    const body = allowed(auth, orgId, p.permission)
      ? html`${reveal ? reveal.reveal : ''}${await p.render(ctx)}`
      : html`<p class="error" role="alert">Your role (${auth.role}) does not include the ${p.permission} permission this page needs.</p>`;
    const markup = page({ title: p.title, auth, orgId, orgName, section: p.section, notice: reveal?.notice ?? c.req.query('notice'), error, body });
    return c.html(await markup, allowed(auth, orgId, p.permission) ? status : 403);
  };

  app.get('/', async (c) => {
    const auth = await authed(c);
    if (auth instanceof Response) return auth;
    return c.redirect(adminHref(auth.organizationId, 'sso'));
  });

  // The super-admin tenant switcher: every tenant, with a way in. Others get 404, as in the API.
  app.get('/tenants', async (c) => {
    const auth = await authed(c);
    if (auth instanceof Response) return auth;
    if (!auth.isSuperAdmin) throw new AppError('RESOURCE_NOT_FOUND', 'Not found');
    const tenants = await listTenants(deps.store.db);
    const body = html`<p>Every tenant. Entering one is recorded in that tenant's audit trail.</p>
<table><thead><tr><th scope="col">Tenant</th><th scope="col">SSO</th><th scope="col">Directories</th><th scope="col">Members</th><th scope="col"><span class="muted">Enter</span></th></tr></thead>
<tbody>${tenants.map((t) => html`<tr><td>${t.name} <code>${t.id}</code></td><td>${t.sso.enabled ? (t.sso.enforced ? `enforced (${t.sso.provider})` : `enabled (${t.sso.provider})`) : 'off'}</td>
<td>${t.directories.count} (${t.directories.users} users)</td><td>${t.members.active} active, ${t.members.inactive} inactive, ${t.members.pending} pending</td>
<td><a href="${adminHref(t.id, 'members')}">Enter ${t.name}</a></td></tr>`)}</tbody></table>`;
    return c.html(await page({ title: 'Tenants', auth, orgId: auth.organizationId, orgName: 'Super-admin', section: 'tenants', body }));
  });

  app.get('/orgs/:orgId/:section', async (c) => {
    const auth = await authed(c);
    if (auth instanceof Response) return auth;
    const p = bySection.get(c.req.param('section'));
    if (!p) throw new AppError('ROUTE_NOT_FOUND', 'No such page');
    const orgId = c.req.param('orgId');
    const orgName = await enter(c, auth, orgId);
    return render(c, auth, orgId, orgName, p, 200);
  });

  app.post('/orgs/:orgId/:section/:action', async (c) => {
    await deps.guardStateChange?.(c);
    const auth = await authed(c);
    if (auth instanceof Response) return auth;
    const p = bySection.get(c.req.param('section'));
    const action = p?.actions?.[c.req.param('action')];
    if (!p || !action) throw new AppError('ROUTE_NOT_FOUND', 'No such action');
    const orgId = c.req.param('orgId');
    const orgName = await enter(c, auth, orgId);
    if (!allowed(auth, orgId, action.permission)) return render(c, auth, orgId, orgName, p, 403, `This needs the ${action.permission} permission.`);
    const raw = await c.req.parseBody();
    const form: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') form[k] = v;
    try {
      const result = await action.run({ store: deps.store, auth, orgId, c, services }, form);
      if (typeof result === 'string') return c.redirect(`${adminHref(orgId, p.section)}?notice=${encodeURIComponent(result)}`, 303);
      if ('redirect' in result) return c.redirect(result.redirect, 303);
      c.header('cache-control', 'no-store');
      return render(c, auth, orgId, orgName, p, 200, undefined, result);
    } catch (error) {
      if (isAppError(error) && error.status < 500) {
        const status = error.status === 409 ? 409 : error.status === 403 ? 403 : error.status === 400 ? 400 : 422;
        return render(c, auth, orgId, orgName, p, status, error.message);
      }
      throw error;
    }
  });

  return app;
}
