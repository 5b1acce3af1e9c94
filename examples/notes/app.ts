// The notes app: a multi-tenant app protected by Gatehouse through @gatehouse/client and its Hono
// middleware. `gatehouse(client)` resolves every request under /notes to the caller's AuthContext
// (introspection, cached, evicted by the revocation stream), `requirePermission` guards each route
// with the app's own permissions (notes:read, notes:write, declared in permissions.yaml), and the
// notes are read and written in the organization of that AuthContext only.
//
// Gatehouse's refusals arrive as problem+json; a page app shows them as pages instead: no
// credential on a page load goes to Gatehouse's sign-in with a way back, anything else (a revoked
// session, a missing permission) is an HTML page with the status and Gatehouse's code.
//
// In your own app the imports are `@gatehouse/client` and `@gatehouse/client/hono`; here they point
// at the package's source in this repository.
import { Hono, type MiddlewareHandler } from 'hono';
import { csrf } from 'hono/csrf';
import type { Credential, GatehouseClient } from '../../packages/client/src/index.ts';
import { type GatehouseVariables, gatehouse, requirePermission } from '../../packages/client/src/hono.ts';
import type { NotesStore } from './notes-store.ts';
import { NOTES_CSS, newNotePage, notePage, notesPage, refusalPage, type Viewer } from './pages.ts';

export interface NotesAppOptions {
  client: GatehouseClient;
  store: NotesStore;
  /** Gatehouse's URL as this server reaches it (for GET /api/v1/me, the organization switcher's list). */
  gatehouseUrl: string;
  /** Where the browser signs in: Gatehouse's /auth/login on this same origin. */
  signInPath?: string;
  /** The session cookie's name, as given to the client (gatehouse_session; __Host-gatehouse_session on https). */
  cookieName?: string;
  fetch?: typeof fetch;
}

type Env = { Variables: GatehouseVariables & { viewer: Viewer } };

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

export function createNotesApp(options: NotesAppOptions): Hono<Env> {
  const { client, store } = options;
  const doFetch = options.fetch ?? globalThis.fetch;
  const signInPath = options.signInPath ?? '/auth/login';
  const cookieName = options.cookieName ?? 'gatehouse_session';
  const app = new Hono<Env>();

  app.get('/notes/notes.css', (c) =>
    c.body(NOTES_CSS, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=300' }),
  );

  const refusalsAsPages: MiddlewareHandler<Env> = async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
    if (!c.res.headers.get('content-type')?.startsWith('application/problem+json')) return;
    const problem = (await c.res.json()) as { status: number; code: string; detail: string };
    const signIn = `${signInPath}?returnTo=${encodeURIComponent(c.req.path)}`;
    // Nobody signed in yet and a page was asked for: straight to sign-in, and back here after.
    // Fresh responses: the problem's own headers (its content type) must not carry over.
    c.res =
      problem.code === 'AUTH_REQUIRED' && c.req.method === 'GET'
        ? new Response(null, { status: 303, headers: { location: signIn } })
        : new Response(await refusalPage(problem.status, problem.code, problem.detail, signIn), {
            status: problem.status,
            headers: { 'content-type': 'text/html; charset=utf-8' },
          });
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
  };

  // The header's data: who, where, and the other organizations, from Gatehouse's /api/v1/me with
  // the caller's own credential. Display data only, so it is kept a minute per session and
  // organization (whether the caller may see the page is decided above, on every request, by the
  // client that follows revocations); a stale list at worst offers a switch Gatehouse refuses.
  const viewers = new Map<string, { viewer: Viewer; expiresAt: number }>();
  const fetchViewer = async (fallback: Viewer, credential: Credential): Promise<Viewer> => {
    const res = await doFetch(`${options.gatehouseUrl}/api/v1/me`, {
      headers:
        'cookie' in credential
          ? { cookie: `${cookieName}=${credential.cookie}` }
          : { authorization: `Bearer ${credential.token}` },
    }).catch(() => null);
    if (!res?.ok) {
      await res?.body?.cancel();
      return fallback;
    }
    const me = (await res.json()) as {
      principal: { email: string | null };
      organizationName: string | null;
      organizations?: Viewer['organizations'];
    };
    return {
      ...fallback,
      email: me.principal.email ?? fallback.email,
      organizationName: me.organizationName ?? fallback.organizationName,
      organizations: me.organizations ?? [],
    };
  };
  const loadViewer: MiddlewareHandler<Env> = async (c, next) => {
    const auth = c.get('auth');
    const credential = client.credentialOf(c.req.raw);
    const fallback: Viewer = {
      email: auth.principal.type === 'user' ? (auth.principal.email ?? null) : null,
      organizationId: auth.organizationId,
      organizationName: auth.organizationId,
      role: auth.role,
      organizations: [],
    };
    const key = auth.sessionId ? `${auth.sessionId} ${auth.organizationId} ${auth.role}` : null;
    const kept = key ? viewers.get(key) : undefined;
    let viewer = kept && kept.expiresAt > Date.now() ? kept.viewer : null;
    if (!viewer) {
      viewer = credential ? await fetchViewer(fallback, credential) : fallback;
      if (key && viewer !== fallback) {
        if (viewers.size >= 10_000) viewers.clear();
        viewers.set(key, { viewer, expiresAt: Date.now() + 60_000 });
      }
    }
    c.set('viewer', viewer);
    await next();
  };

  app.use('/notes/*', refusalsAsPages, csrf(), gatehouse(client), loadViewer);

  app.get('/notes', requirePermission('notes:read'), (c) => {
    const auth = c.get('auth');
    return c.html(notesPage(c.get('viewer'), store.list(auth.organizationId), auth.can('notes:write')));
  });

  app.get('/notes/new', requirePermission('notes:write'), (c) => c.html(newNotePage(c.get('viewer'))));

  app.post('/notes', requirePermission('notes:write'), async (c) => {
    const auth = c.get('auth');
    const form = await c.req.parseBody();
    const title = typeof form.title === 'string' ? form.title.trim().slice(0, 200) : '';
    const body = typeof form.body === 'string' ? form.body.slice(0, 10_000) : '';
    if (!title) return c.html(newNotePage(c.get('viewer')), 422);
    store.create(auth.organizationId, { title, body, author: c.get('viewer').email ?? auth.role });
    return c.redirect('/notes', 303);
  });

  app.get('/notes/:id', requirePermission('notes:read'), (c) => {
    // Looked up in the caller's organization only: another tenant's note id is not found here.
    const note = store.get(c.get('auth').organizationId, c.req.param('id'));
    if (!note) return c.html(refusalPage(404, 'RESOURCE_NOT_FOUND', 'No such note here.', '/notes'), 404);
    return c.html(notePage(c.get('viewer'), note));
  });

  return app;
}
