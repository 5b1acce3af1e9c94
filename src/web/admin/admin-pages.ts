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
import { adminHref, NAV, page, type Markup, type Section } from './layout.ts';
import { loadViewer } from '../chrome.ts';
import { createRevealStore, type RevealStore } from './reveal.ts';

/** The services pages act through: the same ones the API routes use. */
export interface PageServices {
  sso?: SsoService | undefined;
  provider?: Pick<IdentityProvider, 'getConnection'> | undefined;
  organizationAdmin?: OrganizationAdmin | undefined;
  sessions?: SessionService | undefined;
  accessRevoker?: AccessRevoker | undefined;
  syncNow?: ((organizationId: string) => Promise<void>) | undefined;
  publicUrl?: string | undefined;
  /** `gatehouse dev` serves the dev mailbox; the header links to it. */
  devMailbox?: boolean | undefined;
  /** One-time secrets between a create and the page it redirects to (default: in memory). */
  reveals?: RevealStore | undefined;
}

export interface Confirmation {
  question: string;
  consequence: string;
  /** The label of the button that goes ahead, e.g. "Remove bob@acme.test". */
  confirmLabel: string;
}

/** A form submission that failed: its message and what was typed, shown again beside its form. */
export interface FailedAction {
  action: string;
  message: string;
  form: Record<string, string>;
}

export interface PageContext {
  store: Store;
  auth: AuthContext;
  orgId: string;
  c: Context;
  services: PageServices;
  failed?: FailedAction | undefined;
}

/**
 * What a form action answers: a notice for the redirect back to its page (post/redirect/get), a
 * redirect elsewhere (the admin portal), or a page shown once without a redirect (a new API key's
 * secret must not sit in a URL or a browser history entry).
 */
export type ActionResult = string | { redirect: string } | { notice: string; reveal: Markup } | { notice: string; secret: string; label: string };

export interface AdminPage {
  section: Section;
  title: string;
  permission: Permission;
  render(ctx: PageContext): Promise<Markup>;
  /** Actions whose error the page renders beside its own form (from `ctx.failed`). */
  inlineErrors?: readonly string[];
  /** Form actions: return a notice for the redirect. Throw AppError for a user-facing failure. */
  actions?: Record<string, {
    permission: Permission;
    /**
     * A destructive action asks first: the question (with what will happen) when this submission
     * needs confirming, else null. The answer page re-posts the same fields with `confirmed=yes`;
     * no script needed.
     */
    confirm?(ctx: PageContext, form: Record<string, string>): Promise<Confirmation | null>;
    run(ctx: PageContext, form: Record<string, string>): Promise<ActionResult>;
  }>;
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
  const reveals = services.reveals ?? createRevealStore();
  // Navigation links only what the person may open: no link that answers 403.
  const sectionsFor = (auth: AuthContext, orgId: string) => pages.filter((p) => allowed(auth, orgId, p.permission)).map((p) => p.section as string);
  const viewerOf = (auth: AuthContext) => loadViewer(deps.store.db, auth, { devMailbox: services.devMailbox ?? false });
  const render = async (c: Context, auth: AuthContext, orgId: string, orgName: string, p: AdminPage, status: 200 | 400 | 403 | 409 | 422, failed?: FailedAction, reveal?: { notice: string; reveal: Markup }) => {
    const ctx: PageContext = { store: deps.store, auth, orgId, c, services, failed };
    const body = allowed(auth, orgId, p.permission)
      ? html`${reveal ? reveal.reveal : ''}${await p.render(ctx)}`
      : html`<p class="error" role="alert">Your role (${auth.role}) does not include the ${p.permission} permission this page needs.</p>`;
    // An error a page shows beside its form is not repeated at the top.
    const error = failed && !p.inlineErrors?.includes(failed.action) ? failed.message : undefined;
    const markup = page({
      title: p.title, auth, orgId, orgName, section: p.section, notice: reveal?.notice ?? c.req.query('notice'), error, body,
      viewer: await viewerOf(auth), sections: sectionsFor(auth, orgId),
    });
    return c.html(await markup, allowed(auth, orgId, p.permission) ? status : 403);
  };

  app.get('/', async (c) => {
    const auth = await authed(c);
    if (auth instanceof Response) return auth;
    const first = NAV.map(([key]) => key as string).find((key) => sectionsFor(auth, auth.organizationId).includes(key));
    if (!first) return c.redirect('/');
    return c.redirect(adminHref(auth.organizationId, first));
  });

  // The super-admin tenant switcher: every tenant, with a way in. Others get 404, as in the API.
  app.get('/tenants', async (c) => {
    const auth = await authed(c);
    if (auth instanceof Response) return auth;
    if (!auth.isSuperAdmin) throw new AppError('RESOURCE_NOT_FOUND', 'Not found');
    const tenants = await listTenants(deps.store.db);
    const body = html`<p>Every tenant. Entering one is recorded in that tenant's audit trail.</p>
<div class="table-wrap"><table><thead><tr><th scope="col">Tenant</th><th scope="col">SSO</th><th scope="col">Directories</th><th scope="col">Members</th><th scope="col"><span class="muted">Enter</span></th></tr></thead>
<tbody>${tenants.map((t) => html`<tr><td>${t.name} <span class="id" title="${t.id}">${t.id}</span></td><td>${t.sso.enabled ? (t.sso.enforced ? `enforced (${t.sso.provider})` : `enabled (${t.sso.provider})`) : 'off'}</td>
<td>${t.directories.count} (${t.directories.users === 1 ? '1 user' : `${t.directories.users} users`})</td><td>${t.members.active} active, ${t.members.inactive} inactive, ${t.members.pending} pending</td>
<td><a href="${adminHref(t.id, 'members')}">Enter ${t.name}</a></td></tr>`)}</tbody></table></div>`;
    return c.html(await page({ title: 'Tenants', auth, orgId: auth.organizationId, orgName: 'Super-admin', section: 'tenants', body, viewer: await viewerOf(auth) }));
  });

  app.get('/orgs/:orgId/:section', async (c) => {
    const auth = await authed(c);
    if (auth instanceof Response) return auth;
    const p = bySection.get(c.req.param('section'));
    if (!p) throw new AppError('ROUTE_NOT_FOUND', 'No such page');
    const orgId = c.req.param('orgId');
    const orgName = await enter(c, auth, orgId);
    // A secret created by the POST before the redirect here: shown on this one answer, then gone.
    const revealToken = c.req.query('reveal');
    if (revealToken) {
      c.header('cache-control', 'no-store');
      const shown = reveals.take(revealToken, auth, orgId);
      const reveal = shown
        ? { notice: shown.notice, reveal: secretCard(shown.label, shown.secret) }
        : { notice: '', reveal: html`<p class="warning" role="status">That secret was already shown once and is not kept. If it was not copied, revoke the key and create another.</p>` };
      return render(c, auth, orgId, orgName, p, 200, undefined, reveal);
    }
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
    if (!allowed(auth, orgId, action.permission)) return render(c, auth, orgId, orgName, p, 403, { action: '', message: `This needs the ${action.permission} permission.`, form: {} });
    const raw = await c.req.parseBody();
    const form: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') form[k] = v;
    try {
      const ctx: PageContext = { store: deps.store, auth, orgId, c, services };
      const confirmation = form.confirmed === 'yes' ? null : await action.confirm?.(ctx, form);
      if (confirmation) {
        c.header('cache-control', 'no-store');
        const sections = sectionsFor(auth, orgId);
        return c.html(await page({
          title: confirmation.question, auth, orgId, orgName, section: p.section, viewer: await viewerOf(auth), sections,
          body: confirmPage(confirmation, `${adminHref(orgId, p.section)}/${c.req.param('action')}`, form, adminHref(orgId, p.section)),
        }));
      }
      const result = await action.run(ctx, form);
      if (typeof result === 'string') return c.redirect(`${adminHref(orgId, p.section)}?notice=${encodeURIComponent(result)}`, 303);
      if ('redirect' in result) return c.redirect(result.redirect, 303);
      if ('secret' in result) {
        // Post/redirect/get: a reload of the answer shows the page, it never creates another.
        const token = reveals.put({ notice: result.notice, label: result.label, secret: result.secret }, auth, orgId);
        c.header('cache-control', 'no-store');
        return c.redirect(`${adminHref(orgId, p.section)}?reveal=${encodeURIComponent(token)}`, 303);
      }
      c.header('cache-control', 'no-store');
      return render(c, auth, orgId, orgName, p, 200, undefined, result);
    } catch (error) {
      if (isAppError(error) && error.status < 500) {
        const status = error.status === 409 ? 409 : error.status === 403 ? 403 : error.status === 400 ? 400 : 422;
        return render(c, auth, orgId, orgName, p, status, { action: c.req.param('action'), message: error.message, form });
      }
      throw error;
    }
  });

  return app;
}

/** A one-time secret: shown on this answer only, never in a URL, a log or the audit trail. */
function secretCard(label: string, secret: string): Markup {
  return html`<section class="notice" aria-labelledby="secret-title">
<h2 id="secret-title">Copy the secret now</h2>
<p>This is the only time it is shown. Store it in your secret manager.</p>
<label for="new-secret">Secret of ${label}</label>
<input id="new-secret" class="secret" readonly value="${secret}" data-testid="new-api-key-secret">
</section>`;
}

/** The confirm step: the same fields posted again with confirmed=yes, or back to the page. */
function confirmPage(q: Confirmation, action: string, form: Record<string, string>, back: string): Markup {
  return html`<section class="confirm" aria-labelledby="confirm-title">
<h2 id="confirm-title" class="visually-hidden">Confirm</h2>
<p>${q.consequence}</p>
<form method="post" action="${action}" class="actions">
${Object.entries(form).filter(([k]) => k !== 'confirmed').map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
<input type="hidden" name="confirmed" value="yes">
<button type="submit" class="danger strong">${q.confirmLabel}</button>
<a class="button secondary" href="${back}">Cancel</a>
</form>
</section>`;
}
