// The home page at `/`, where every sign-in ends unless it asked to go elsewhere. Signed out: a
// sign-in page. Signed in: the person's organizations, the current one with a way into each
// section they may open, the others behind the switcher (POST /auth/switch-organization, so
// the target organization's sign-in policy decides).
import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import type { AuthContext } from '../core/auth-context.ts';
import { isAppError } from '../core/errors.ts';
import type { Permission } from '../core/permissions.ts';
import type { Store } from '../store/store.ts';
import { DEV_MAILBOX_PATH, documentPage, headerBar, loadViewer, plural, type Viewer } from './chrome.ts';

export interface HomeDeps {
  store: Store;
  authenticate(c: Context): Promise<AuthContext>;
  /** The admin sections in navigation order with the permission each needs. */
  sections: ReadonlyArray<{ section: string; title: string; permission: Permission }>;
  devMailbox?: boolean;
}

function signedOut(devMailbox: boolean) {
  return documentPage({
    title: 'Sign in',
    header: headerBar(null),
    narrow: true,
    mainAttributes: html`data-page="home-signed-out"`,
    body: html`<div class="card">
<h1>Sign in to Gatehouse</h1>
<p>Manage your organization's single sign-on, members, roles, API keys, sessions and audit trail.</p>
<p><a class="button" href="/auth/login">Sign in</a></p>
<p class="muted">Your organization may send you to its own identity provider.</p>
${devMailbox ? html`<p class="muted">Running <code>gatehouse dev</code>: demo sign-ins are printed in the terminal; mail arrives in the <a href="${DEV_MAILBOX_PATH}">dev mailbox</a>.</p>` : ''}
</div>`,
  });
}

function signedIn(viewer: Viewer, auth: AuthContext, sections: HomeDeps['sections']) {
  const mine = sections.filter((s) => auth.permissions.includes(s.permission));
  const others = viewer.organizations.filter((o) => o.id !== viewer.organizationId);
  const href = (section: string) => `/admin/orgs/${encodeURIComponent(viewer.organizationId)}/${section}`;
  return documentPage({
    title: 'Home',
    header: headerBar(viewer),
    mainAttributes: html`data-page="home"`,
    body: html`<h1>Welcome${viewer.name ? `, ${viewer.name.split(' ')[0]}` : ''}</h1>
<section aria-labelledby="current-title">
<h2 id="current-title">${viewer.organizationName}</h2>
<p class="muted">You are signed in to ${viewer.organizationName} as <strong>${viewer.role}</strong>.</p>
${
  mine.length === 0
    ? html`<p class="empty">Your role has no settings pages here. Ask an administrator if you need more.</p>`
    : html`<ul class="orgs">${mine.map((s) => html`<li><span>${s.title}</span><a class="button secondary" href="${href(s.section)}" aria-label="Open ${s.title}">Open</a></li>`)}</ul>`
}
</section>
<section aria-labelledby="orgs-title">
<h2 id="orgs-title">Your organizations</h2>
<p class="muted">You belong to ${plural(viewer.organizations.length, 'organization')}.</p>
<ul class="orgs">
${viewer.organizations.map(
  (o) => html`<li>
<span><strong>${o.name}</strong> <span class="muted">${o.role}</span></span>
${
  o.id === viewer.organizationId
    ? html`<span class="muted">current</span>`
    : html`<form method="post" action="/auth/switch-organization" class="inline">
<input type="hidden" name="organizationId" value="${o.id}">
<input type="hidden" name="returnTo" value="/">
<button type="submit" class="secondary" aria-label="Switch to ${o.name}">Switch to ${o.name}</button>
</form>`
}
</li>`,
)}
</ul>
${others.length === 0 ? '' : html`<p class="muted">Switching may ask you to sign in again if that organization requires its own SSO.</p>`}
</section>
${viewer.isSuperAdmin ? html`<section><h2>Super-admin</h2><p><a href="/admin/tenants">Every tenant</a></p></section>` : ''}`,
  });
}

export function homeRoutes(deps: HomeDeps): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    c.header('cache-control', 'no-store');
    let auth: AuthContext;
    try {
      auth = await deps.authenticate(c);
    } catch (error) {
      if (isAppError(error) && (error.status === 401 || error.status === 403))
        return c.html(signedOut(deps.devMailbox ?? false));
      throw error;
    }
    const viewer = await loadViewer(deps.store.db, auth, { devMailbox: deps.devMailbox ?? false });
    return c.html(signedIn(viewer, auth, deps.sections));
  });
  return app;
}
