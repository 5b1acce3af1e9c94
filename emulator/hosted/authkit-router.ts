import { Hono, type Context } from 'hono';
import type { EmulatorContext } from '../services/context.ts';
import type { PendingSignIn } from '../state/types.ts';
import { EmulatorError } from '../services/errors.ts';
import {
  authorizationErrorRedirect, completeAuthorization, completeSsoAuthorization,
  parseAuthorizeRequest, resolveAuthorizeConnection, type AuthorizeRequest,
} from '../services/authorize.ts';
import { magicAuthSignIn, passwordSignIn } from '../services/authenticate.ts';
import { ssoConnectionsForEmail } from '../services/connections.ts';
import { confirmEmailVerification, createMagicAuth, sendEmailVerification } from '../services/one-time-codes.ts';
import { ssoUserSignIn, testIdpDirectoryUsers } from '../services/test-idp.ts';
import { createUser, findUserByEmail } from '../services/users.ts';
import type { FlowSealer } from './flow-token.ts';
import type { Markup } from './layout.ts';
import {
  AUTHORIZE_ACTIONS, codePage, emailPage, hostedErrorPage, organizationPage, passwordPage, signUpPage, verifyEmailPage,
} from './sign-in-pages.ts';
import { testIdpPage } from './test-idp-page.ts';

// The hosted sign-in behind `GET /user_management/authorize` (AuthKit) and `GET /sso/authorize`
// (SSO API). Identity checks, codes and sessions are the services' (emulator/services); this
// file only walks the browser through the steps: email -> password or magic code, or the test
// IdP when the email's domain has an active SSO connection -> email verification -> organization
// choice -> redirect to the app with `code` and `state`.

const FLOW_TTL_MS = 30 * 60 * 1000;
const PENDING_TTL_MS = 10 * 60 * 1000;
const MIN_PASSWORD_LENGTH = 8;

interface Flow {
  mode: 'authkit' | 'sso';
  req: AuthorizeRequest;
}

type Rendered = { markup: Markup; status: number };

function render(c: Context, view: Rendered): Response | Promise<Response> {
  return c.html(view.markup, view.status as 200);
}

/** What a service error tells the person at the keyboard (never a token or a code). */
function messageOf(error: unknown): string {
  if (error instanceof EmulatorError) {
    const field = error.body.errors?.[0];
    return field?.message ?? error.body.message ?? error.body.error_description ?? 'Something went wrong.';
  }
  throw error;
}

export function createAuthkitPages(ctx: EmulatorContext, sealer: FlowSealer): Hono {
  const app = new Hono();
  const { world } = ctx;

  const form = async (c: Context) => {
    const body = await c.req.parseBody();
    const get = (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '');
    const flow = sealer.open<Flow>(get('flow'));
    return { get, flow, flowToken: get('flow') };
  };
  const expired = (c: Context) =>
    render(c, hostedErrorPage('Sign-in expired', 'This sign-in page has expired. Go back to the application and start again.', 400));
  const meta = (c: Context) => ({ user_agent: c.req.header('user-agent') });

  function showIdp(c: Context, flowToken: string, connectionId: string, email: string | null, error?: string) {
    const connection = world.connections.get(connectionId);
    if (!connection) return render(c, hostedErrorPage('Unknown connection', 'The SSO connection no longer exists.', 404));
    return render(c, testIdpPage({
      flow: flowToken,
      connection,
      organizationName: world.organizations.get(connection.organization_id)?.name ?? connection.organization_id,
      users: testIdpDirectoryUsers(ctx, connection),
      email,
      error: error ?? null,
    }));
  }

  /** After the user is known: verify the email, pick an organization, then hand back a code. */
  function finish(c: Context, flow: Flow, flowToken: string, signIn: PendingSignIn) {
    const user = world.users.get(signIn.user_id);
    if (!user) return expired(c);
    const pending = sealer.seal(signIn, PENDING_TTL_MS);
    if (!user.email_verified) {
      sendEmailVerification(ctx, user.id);
      return render(c, verifyEmailPage({ flow: flowToken, pending, email: user.email }));
    }
    if (!signIn.organization_id) {
      const active = [...world.memberships.values()].filter((m) => m.user_id === user.id && m.status === 'active');
      if (active.length > 1) {
        const organizations = active.map((m) => ({ id: m.organization_id, name: world.organizations.get(m.organization_id)?.name ?? m.organization_id }));
        return render(c, organizationPage({ flow: flowToken, pending, organizations }));
      }
      if (active.length === 1) signIn = { ...signIn, organization_id: active[0]!.organization_id };
    }
    return c.redirect(completeAuthorization(ctx, flow.req, signIn), 303);
  }

  function start(mode: Flow['mode']) {
    return (c: Context) => {
      let req: AuthorizeRequest;
      let connectionId: string | null;
      try {
        // AuthKit's hosted UI needs no provider: `provider=authkit` is implied on this path.
        const query = { ...c.req.query() };
        if (mode === 'authkit' && !query.provider && !query.connection_id && !query.organization_id) query.provider = 'authkit';
        req = parseAuthorizeRequest(ctx, query);
        connectionId = resolveAuthorizeConnection(ctx, req)?.id ?? null;
      } catch (error) {
        return render(c, hostedErrorPage('Invalid sign-in request', messageOf(error), error instanceof EmulatorError ? error.status : 400));
      }
      const flowToken = sealer.seal({ mode, req } satisfies Flow, FLOW_TTL_MS);
      if (connectionId) return showIdp(c, flowToken, connectionId, req.login_hint);
      if (mode === 'sso') return render(c, hostedErrorPage('No connection', 'This organization has no active SSO connection.', 422));
      if (req.screen_hint === 'sign-up') return render(c, signUpPage({ flow: flowToken, email: req.login_hint }));
      return render(c, emailPage({ flow: flowToken, email: req.login_hint }));
    };
  }

  app.get('/user_management/authorize', start('authkit'));
  app.get('/sso/authorize', start('sso'));

  app.post(AUTHORIZE_ACTIONS.email, async (c) => {
    const { get, flow, flowToken } = await form(c);
    if (!flow) return expired(c);
    const email = get('email').toLowerCase();
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) return render(c, emailPage({ flow: flowToken, email, error: 'Enter a valid email address.' }));
    const sso = ssoConnectionsForEmail(ctx, email)[0];
    if (sso) return showIdp(c, flowToken, sso.id, email);
    return render(c, passwordPage({ flow: flowToken, email }));
  });

  app.post(AUTHORIZE_ACTIONS.password, async (c) => {
    const { get, flow, flowToken } = await form(c);
    if (!flow) return expired(c);
    const email = get('email');
    try {
      return finish(c, flow, flowToken, passwordSignIn(ctx, email, get('password'), meta(c)));
    } catch (error) {
      return render(c, passwordPage({ flow: flowToken, email, error: messageOf(error) }));
    }
  });

  app.post(AUTHORIZE_ACTIONS.sendCode, async (c) => {
    const { get, flow, flowToken } = await form(c);
    if (!flow) return expired(c);
    const email = get('email');
    try {
      createMagicAuth(ctx, { email }); // mails the code (outbox) and emits magic_auth.created
      return render(c, codePage({ flow: flowToken, email }));
    } catch (error) {
      return render(c, emailPage({ flow: flowToken, email, error: messageOf(error) }));
    }
  });

  app.post(AUTHORIZE_ACTIONS.verifyCode, async (c) => {
    const { get, flow, flowToken } = await form(c);
    if (!flow) return expired(c);
    const email = get('email');
    try {
      return finish(c, flow, flowToken, magicAuthSignIn(ctx, email, get('code'), meta(c)));
    } catch (error) {
      return render(c, codePage({ flow: flowToken, email, error: messageOf(error) }));
    }
  });

  app.post(AUTHORIZE_ACTIONS.showSignUp, async (c) => {
    const { flow, flowToken } = await form(c);
    return flow ? render(c, signUpPage({ flow: flowToken })) : expired(c);
  });

  app.post(AUTHORIZE_ACTIONS.signUp, async (c) => {
    const { get, flow, flowToken } = await form(c);
    if (!flow) return expired(c);
    const email = get('email').toLowerCase();
    const sso = ssoConnectionsForEmail(ctx, email)[0];
    if (sso) return showIdp(c, flowToken, sso.id, email);
    if (get('password').length < MIN_PASSWORD_LENGTH) {
      return render(c, signUpPage({ flow: flowToken, email, error: `Use at least ${MIN_PASSWORD_LENGTH} characters for the password.` }));
    }
    if (findUserByEmail(ctx, email)) {
      return render(c, signUpPage({ flow: flowToken, email, error: 'An account with this email already exists. Sign in instead.' }));
    }
    try {
      const user = createUser(ctx, { email, password: get('password'), first_name: get('first_name') || null, last_name: get('last_name') || null });
      return finish(c, flow, flowToken, { user_id: user.id, organization_id: null, auth_method: 'password', authentication_method: 'Password' });
    } catch (error) {
      return render(c, signUpPage({ flow: flowToken, email, error: messageOf(error) }));
    }
  });

  app.post(AUTHORIZE_ACTIONS.verifyEmail, async (c) => {
    const { get, flow, flowToken } = await form(c);
    const signIn = sealer.open<PendingSignIn>(get('pending'));
    if (!flow || !signIn) return expired(c);
    try {
      confirmEmailVerification(ctx, signIn.user_id, { code: get('code') });
    } catch (error) {
      const email = world.users.get(signIn.user_id)?.email ?? '';
      return render(c, verifyEmailPage({ flow: flowToken, pending: get('pending'), email, error: messageOf(error) }));
    }
    return finish(c, flow, flowToken, signIn);
  });

  app.post(AUTHORIZE_ACTIONS.organization, async (c) => {
    const { get, flow, flowToken } = await form(c);
    const signIn = sealer.open<PendingSignIn>(get('pending'));
    if (!flow || !signIn) return expired(c);
    const organizationId = get('organization_id');
    const member = [...world.memberships.values()].some(
      (m) => m.user_id === signIn.user_id && m.organization_id === organizationId && m.status === 'active',
    );
    if (!member) return render(c, hostedErrorPage('Not a member', 'You are not an active member of that organization.', 403));
    return finish(c, flow, flowToken, { ...signIn, organization_id: organizationId });
  });

  app.post(AUTHORIZE_ACTIONS.testIdp, async (c) => {
    const { get, flow, flowToken } = await form(c);
    if (!flow) return expired(c);
    const connection = world.connections.get(get('connection_id'));
    if (!connection) return render(c, hostedErrorPage('Unknown connection', 'The SSO connection no longer exists.', 404));
    if (get('action') === 'cancel') {
      return c.redirect(authorizationErrorRedirect(flow.req, 'access_denied', 'The user cancelled sign-in at the identity provider.'), 303);
    }
    const identity = { email: get('email'), first_name: get('first_name') || null, last_name: get('last_name') || null };
    if (!/^[^@\s]+@[^@\s]+$/.test(identity.email)) return showIdp(c, flowToken, connection.id, identity.email, 'Enter a valid email address.');
    if (flow.mode === 'sso') return c.redirect(completeSsoAuthorization(ctx, flow.req, connection, identity), 303);
    try {
      return finish(c, flow, flowToken, ssoUserSignIn(ctx, connection, identity));
    } catch (error) {
      return showIdp(c, flowToken, connection.id, identity.email, messageOf(error));
    }
  });

  return app;
}
