// The admin pages under /admin/orgs/{orgId}/{section}. Each section is one AdminPage: a render
// function and named form actions. Who may see or act is the access decision point's answer
// (src/access/access-decision.ts), as for the API: a credential (else to sign-in), the
// organization in the path must be the caller's (404 otherwise; super-admins may enter any, and
// each entry is audited), the section's or action's permission (403, shown on the page), and no
// API keys, sign-in policy or role changes from an impersonated session (403). Actions answer
// with a redirect (post/redirect/get) carrying a notice, or re-render with the error and a 4xx.
import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import type { AuthContext } from '../../core/auth-context.ts';
import { AppError, isAppError } from '../../core/errors.ts';
import type { Permission } from '../../core/permissions.ts';
import { createPermissionCatalogue, type PermissionCatalogue } from '../../core/permission-catalogue.ts';
import { decideAccess, type AccessDecision, type AccessTarget } from '../../access/access-decision.ts';
import type { Store } from '../../store/store.ts';
import { inTenant } from '../../store/tenant.ts';
import { listTenants } from '../../organizations/tenants.ts';
import { enterTenant } from '../../identity/super-admin.ts';
import type { IdentityProvider } from '../../identity/provider.ts';
import type { OrganizationAdmin } from '../../identity/organization-admin.ts';
import type { SessionService } from '../../sessions/session-service.ts';
import type { AccessRevoker } from '../../mirror/context.ts';
import type { SsoService } from '../../sso/sso-config.ts';
import type { OidcConnections } from '../../identity/oidc/oidc-connections.ts';
import { adminHref, NAV, page, type Markup, type Section } from './layout.ts';
import { loadViewer } from '../chrome.ts';
import { createRevealStore, type RevealStore } from './reveal.ts';
import type { AuditKeyRing } from '../../audit/checkpoint.ts';

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
  /** `gatehouse dev` serves the dev mailbox; the header links to it. */
  devMailbox?: boolean | undefined;
  /** The install's permissions (Gatehouse's and the app's); default: Gatehouse's own only. */
  permissions?: PermissionCatalogue | undefined;
  /** AUTH_PROVIDER=oidc: the organization's OIDC connections (the SSO page's connection card). */
  oidcConnections?: { connections: OidcConnections; redirectUri: string } | undefined;
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
  /** The install's permissions: what roles may carry and what they grant. */
  permissions: PermissionCatalogue;
  failed?: FailedAction | undefined;
}

/**
 * What a form action answers: a notice for the redirect back to its page (post/redirect/get), a
 * redirect elsewhere (the admin portal), or a page shown once without a redirect (a new API key's
 * secret must not sit in a URL or a browser history entry).
 */
export type ActionResult =
  | string
  | { redirect: string }
  | { notice: string; reveal: Markup }
  | { notice: string; secret: string; label: string };

export interface AdminPage {
  section: Section;
  title: string;
  permission: Permission;
  render(ctx: PageContext): Promise<Markup>;
  /** Actions whose error the page renders beside its own form (from `ctx.failed`). */
  inlineErrors?: readonly string[];
  /** Form actions: return a notice for the redirect. Throw AppError for a user-facing failure. */
  actions?: Record<
    string,
    {
      permission: Permission;
      /** Changes someone's role: refused to an impersonated session whatever the permission. */
      changesRoles?: boolean;
      /**
       * A destructive action asks first: the question (with what will happen) when this submission
       * needs confirming, else null. The answer page re-posts the same fields with `confirmed=yes`;
       * no script needed.
       */
      confirm?(ctx: PageContext, form: Record<string, string>): Promise<Confirmation | null>;
      run(ctx: PageContext, form: Record<string, string>): Promise<ActionResult>;
    }
  >;
}

export interface AdminPagesDeps {
  store: Store;
  authenticate(c: Context): Promise<AuthContext>;
  onSuperAdminEntry?(auth: AuthContext, organizationId: string, c: Context): Promise<void>;
  services?: PageServices;
}

export function createAdminPages(deps: AdminPagesDeps, pages: AdminPage[]): Hono {
  const app = new Hono();
  const bySection = new Map(pages.map((p) => [p.section as string, p]));

  /** The decision for this request; a 401 becomes the way to sign-in, a 404 is thrown. */
  const credentials = new WeakMap<Context, Promise<AuthContext>>();
  const credential = (c: Context) => () => {
    // One verification per request, however many decisions it takes.
    let pending = credentials.get(c);
    if (!pending) credentials.set(c, (pending = deps.authenticate(c)));
    return pending;
  };
  const decide = async (c: Context, target: Omit<AccessTarget, 'method'>): Promise<AccessDecision | Response> => {
    const decision = await decideAccess({ credential: credential(c), method: c.req.method, ...target });
    if (decision.allowed || !decision.auth) {
      if (!decision.allowed && decision.error.status === 401)
        return c.redirect(`/auth/login?returnTo=${encodeURIComponent(new URL(c.req.url).pathname)}`);
      if (!decision.allowed) throw decision.error;
    }
    if (!decision.allowed && decision.error.status !== 403) throw decision.error;
    return decision;
  };

  const enter = async (c: Context, auth: AuthContext, orgId: string, superAdminEntry: boolean): Promise<string> => {
    const org = await inTenant(deps.store.db, orgId, (tx) =>
      tx
        .selectFrom('organizations')
        .select('name')
        .where('id', '=', orgId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst(),
    );
    if (!org) throw new AppError('RESOURCE_NOT_FOUND', 'Not found');
    if (superAdminEntry) await deps.onSuperAdminEntry?.(auth, orgId, c);
    return org.name;
  };

  /** Whether the page itself may be shown (asked of the decision point with the known context). */
  const mayView = async (auth: AuthContext, orgId: string, permission: Permission) =>
    (await decideAccess({ credential: async () => auth, method: 'GET', organizationId: orgId, permission })).allowed;

  const services = deps.services ?? {};
  const permissions = services.permissions ?? createPermissionCatalogue();
  const reveals = services.reveals ?? createRevealStore();
  // Navigation links only what the person may open (asked of the decision point): no link that answers 403.
  const sectionsFor = async (auth: AuthContext, orgId: string) => {
    const open: string[] = [];
    for (const p of pages) if (await mayView(auth, orgId, p.permission)) open.push(p.section);
    return open;
  };
  const viewerOf = (auth: AuthContext) => loadViewer(deps.store.db, auth, { devMailbox: services.devMailbox ?? false });
  const render = async (
    c: Context,
    auth: AuthContext,
    orgId: string,
    orgName: string,
    p: AdminPage,
    status: 200 | 400 | 403 | 409 | 422,
    failed?: FailedAction,
    reveal?: { notice: string; reveal: Markup },
  ) => {
    const ctx: PageContext = { store: deps.store, auth, orgId, c, services, permissions, failed };
    const visible = await mayView(auth, orgId, p.permission);
    const body = visible
      ? html`${reveal ? reveal.reveal : ''}${await p.render(ctx)}`
      : html`<p class="error" role="alert">Your role (${auth.role}) does not include the ${p.permission} permission this page needs.</p>`;
    // An error a page shows beside its form is not repeated at the top.
    const error = failed && !p.inlineErrors?.includes(failed.action) ? failed.message : undefined;
    const markup = page({
      title: p.title,
      auth,
      orgId,
      orgName,
      section: p.section,
      notice: reveal?.notice ?? c.req.query('notice'),
      error,
      body,
      viewer: await viewerOf(auth),
      sections: await sectionsFor(auth, orgId),
    });
    return c.html(await markup, visible ? status : 403);
  };

  app.get('/', async (c) => {
    const decision = await decide(c, {});
    if (decision instanceof Response) return decision;
    const auth = decision.auth!;
    const open = await sectionsFor(auth, auth.organizationId);
    const first = NAV.map(([key]) => key as string).find((key) => open.includes(key));
    if (!first) return c.redirect('/');
    return c.redirect(adminHref(auth.organizationId, first));
  });

  // The super-admin tenant switcher: every tenant, with a way in. Others get 404, as in the API.
  app.get('/tenants', async (c) => {
    const decision = await decide(c, { superAdminOnly: true });
    if (decision instanceof Response) return decision;
    const auth = decision.auth!;
    const tenants = await listTenants(deps.store.db);
    const body = html`<p>Every tenant. Entering one is recorded in that tenant's audit trail.</p>
<div class="table-wrap"><table><thead><tr><th scope="col">Tenant</th><th scope="col">SSO</th><th scope="col">Directories</th><th scope="col">Members</th><th scope="col"><span class="muted">Enter</span></th></tr></thead>
<tbody>${tenants.map(
      (
        t,
      ) => html`<tr><td>${t.name} <span class="id" title="${t.id}">${t.id}</span></td><td>${t.sso.enabled ? (t.sso.enforced ? `enforced (${t.sso.provider})` : `enabled (${t.sso.provider})`) : 'off'}</td>
<td>${t.directories.count} (${t.directories.users === 1 ? '1 user' : `${t.directories.users} users`})</td><td>${t.members.active} active, ${t.members.inactive} inactive, ${t.members.pending} pending</td>
<td><form class="inline" method="post" action="/admin/tenants/${t.id}/enter"><button type="submit">Enter ${t.name}</button></form></td></tr>`,
    )}</tbody></table></div>`;
    return c.html(
      await page({
        title: 'Tenants',
        auth,
        orgId: auth.organizationId,
        orgName: 'Super-admin',
        section: 'tenants',
        body,
        viewer: await viewerOf(auth),
      }),
    );
  });

  // Entering is the one write: a POST (so the CSRF check runs first), audited once in the tenant.
  app.post('/tenants/:orgId/enter', async (c) => {
    const decision = await decide(c, { superAdminOnly: true });
    if (decision instanceof Response) return decision;
    const orgId = c.req.param('orgId');
    await enterTenant(deps.store.db, decision.auth!, orgId, 'tenant switcher');
    return c.redirect(adminHref(orgId, 'members'), 303);
  });

  app.get('/orgs/:orgId/:section', async (c) => {
    const orgId = c.req.param('orgId');
    // The organization first, without a permission: the page shows a missing permission itself.
    const decision = await decide(c, { organizationId: orgId });
    if (decision instanceof Response) return decision;
    const auth = decision.auth!;
    const p = bySection.get(c.req.param('section'));
    if (!p) throw new AppError('ROUTE_NOT_FOUND', 'No such page');
    const orgName = await enter(c, auth, orgId, decision.allowed && decision.superAdminEntry);
    // A secret created by the POST before the redirect here: shown on this one answer, then gone.
    const revealToken = c.req.query('reveal');
    if (revealToken) {
      c.header('cache-control', 'no-store');
      const shown = reveals.take(revealToken, auth, orgId);
      const reveal = shown
        ? { notice: shown.notice, reveal: secretCard(shown.label, shown.secret) }
        : {
            notice: '',
            reveal: html`<p class="warning" role="status">That secret was already shown once and is not kept. If it was not copied, revoke the key and create another.</p>`,
          };
      return render(c, auth, orgId, orgName, p, 200, undefined, reveal);
    }
    return render(c, auth, orgId, orgName, p, 200);
  });

  app.post('/orgs/:orgId/:section/:action', async (c) => {
    const orgId = c.req.param('orgId');
    const entry = await decide(c, { organizationId: orgId });
    if (entry instanceof Response) return entry;
    const p = bySection.get(c.req.param('section'));
    const action = p?.actions?.[c.req.param('action')];
    if (!p || !action) throw new AppError('ROUTE_NOT_FOUND', 'No such action');
    const decision = await decide(c, {
      organizationId: orgId,
      permission: action.permission,
      changesRoles: action.changesRoles,
    });
    if (decision instanceof Response) return decision;
    const auth = decision.auth!;
    const orgName = await enter(c, auth, orgId, entry.allowed && entry.superAdminEntry);
    if (!decision.allowed)
      return render(c, auth, orgId, orgName, p, 403, { action: '', message: decision.error.message, form: {} });
    const raw = await c.req.parseBody();
    const form: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') form[k] = v;
    try {
      const ctx: PageContext = { store: deps.store, auth, orgId, c, services, permissions };
      const confirmation = form.confirmed === 'yes' ? null : await action.confirm?.(ctx, form);
      if (confirmation) {
        c.header('cache-control', 'no-store');
        const sections = await sectionsFor(auth, orgId);
        return c.html(
          await page({
            title: confirmation.question,
            auth,
            orgId,
            orgName,
            section: p.section,
            viewer: await viewerOf(auth),
            sections,
            body: confirmPage(
              confirmation,
              `${adminHref(orgId, p.section)}/${c.req.param('action')}`,
              form,
              adminHref(orgId, p.section),
            ),
          }),
        );
      }
      const result = await action.run(ctx, form);
      if (typeof result === 'string')
        return c.redirect(`${adminHref(orgId, p.section)}?notice=${encodeURIComponent(result)}`, 303);
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
        return render(c, auth, orgId, orgName, p, status, {
          action: c.req.param('action'),
          message: error.message,
          form,
        });
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
${Object.entries(form)
  .filter(([k]) => k !== 'confirmed')
  .map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
<input type="hidden" name="confirmed" value="yes">
<button type="submit" class="danger strong">${q.confirmLabel}</button>
<a class="button secondary" href="${back}">Cancel</a>
</form>
</section>`;
}
