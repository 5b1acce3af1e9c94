import { Hono, type Context } from 'hono';
import type { EmulatorContext } from '../services/context.ts';
import type { PendingSignIn } from '../state/types.ts';
import { EmulatorError } from '../services/errors.ts';
import {
  authorizationErrorRedirect,
  completeSsoAuthorization,
  parseAuthorizeRequest,
  resolveAuthorizeConnection,
  type AuthorizeRequest,
} from '../services/authorize.ts';
import { magicAuthSignIn, passwordSignIn } from '../services/authenticate.ts';
import { ssoConnectionsForEmail } from '../services/connections.ts';
import { findInvitationByToken } from '../services/invitations.ts';
import { confirmEmailVerification, createMagicAuth } from '../services/one-time-codes.ts';
import { verifyChallenge } from '../services/mfa.ts';
import { mfaChallengePage, mfaEnrollPage } from './mfa-pages.ts';
import { ssoUserSignIn, testIdpDirectoryUsers } from '../services/test-idp.ts';
import { createUser, findUserByEmail } from '../services/users.ts';
import type { FlowSealer } from './flow-token.ts';
import { createFinisher, FLOW_TTL_MS, messageOf, render, type Flow } from './sign-in-finish.ts';
import {
  AUTHORIZE_ACTIONS,
  codePage,
  emailPage,
  hostedErrorPage,
  passwordPage,
  signUpPage,
  verifyEmailPage,
} from './sign-in-pages.ts';
import { testIdpPage } from './test-idp-page.ts';

// The hosted sign-in behind `GET /user_management/authorize` (AuthKit) and `GET /sso/authorize`
// (SSO API). Identity checks, codes and sessions are the services' (emulator/services); this
// file only walks the browser through the steps: email -> password or magic code, or the test
// IdP when the email's domain has an active SSO connection -> email verification -> organization
// choice -> redirect to the app with `code` and `state`.

const MIN_PASSWORD_LENGTH = 8;

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
    render(
      c,
      hostedErrorPage(
        'Sign-in expired',
        'This sign-in page has expired. Go back to the application and start again.',
        400,
      ),
    );
  const meta = (c: Context) => ({ user_agent: c.req.header('user-agent') });

  function showIdp(c: Context, flowToken: string, connectionId: string, email: string | null, error?: string) {
    const connection = world.connections.get(connectionId);
    if (!connection)
      return render(c, hostedErrorPage('Unknown connection', 'The SSO connection no longer exists.', 404));
    return render(
      c,
      testIdpPage({
        flow: flowToken,
        connection,
        organizationName: world.organizations.get(connection.organization_id)?.name ?? connection.organization_id,
        users: testIdpDirectoryUsers(ctx, connection),
        email,
        error: error ?? null,
      }),
    );
  }

  const finish = createFinisher(ctx, sealer);

  function start(mode: 'authkit' | 'sso') {
    return (c: Context) => {
      let req: AuthorizeRequest;
      let connectionId: string | null;
      try {
        // AuthKit's hosted UI needs no provider: `provider=authkit` is implied on this path.
        const query = { ...c.req.query() };
        if (mode === 'authkit' && !query.provider && !query.connection_id && !query.organization_id)
          query.provider = 'authkit';
        req = parseAuthorizeRequest(ctx, query);
        connectionId = resolveAuthorizeConnection(ctx, req)?.id ?? null;
      } catch (error) {
        return render(
          c,
          hostedErrorPage(
            'Invalid sign-in request',
            messageOf(error),
            error instanceof EmulatorError ? error.status : 400,
          ),
        );
      }
      const flowToken = sealer.seal({ mode, req, invitation: null } satisfies Flow, FLOW_TTL_MS);
      if (connectionId) return showIdp(c, flowToken, connectionId, req.login_hint);
      if (mode === 'sso')
        return render(c, hostedErrorPage('No connection', 'This organization has no active SSO connection.', 422));
      if (req.screen_hint === 'sign-up') return render(c, signUpPage({ flow: flowToken, email: req.login_hint }));
      return render(c, emailPage({ flow: flowToken, email: req.login_hint }));
    };
  }

  app.get('/user_management/authorize', start('authkit'));
  app.get('/sso/authorize', start('sso'));

  // The link in an invitation email: sign up (or sign in) as the invited address, which
  // accepts the invitation; there is no app redirect, so the flow ends on a confirmation page.
  app.get('/invite', (c) => {
    const token = c.req.query('invitation_token') ?? '';
    const invitation = findInvitationByToken(ctx, token);
    if (invitation?.state !== 'pending') {
      return render(
        c,
        hostedErrorPage(
          'Invitation not valid',
          'This invitation has expired, was revoked or was already accepted.',
          404,
        ),
      );
    }
    const flowToken = sealer.seal({ mode: 'invite', req: null, invitation: token } satisfies Flow, FLOW_TTL_MS);
    const sso = ssoConnectionsForEmail(ctx, invitation.email)[0];
    if (sso) return showIdp(c, flowToken, sso.id, invitation.email);
    if (findUserByEmail(ctx, invitation.email))
      return render(c, passwordPage({ flow: flowToken, email: invitation.email }));
    return render(c, signUpPage({ flow: flowToken, email: invitation.email }));
  });

  app.post(AUTHORIZE_ACTIONS.email, async (c) => {
    const { get, flow, flowToken } = await form(c);
    if (!flow) return expired(c);
    const email = get('email').toLowerCase();
    if (!/^[^@\s]+@[^@\s]+$/.test(email))
      return render(c, emailPage({ flow: flowToken, email, error: 'Enter a valid email address.' }));
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
      return render(
        c,
        signUpPage({
          flow: flowToken,
          email,
          error: `Use at least ${MIN_PASSWORD_LENGTH} characters for the password.`,
        }),
      );
    }
    if (findUserByEmail(ctx, email)) {
      return render(
        c,
        signUpPage({ flow: flowToken, email, error: 'An account with this email already exists. Sign in instead.' }),
      );
    }
    try {
      const user = createUser(ctx, {
        email,
        password: get('password'),
        first_name: get('first_name') || null,
        last_name: get('last_name') || null,
      });
      return finish(c, flow, flowToken, {
        user_id: user.id,
        organization_id: null,
        auth_method: 'password',
        authentication_method: 'Password',
      });
    } catch (error) {
      return render(c, signUpPage({ flow: flowToken, email, error: messageOf(error) }));
    }
  });

  app.post(AUTHORIZE_ACTIONS.verifyEmail, async (c) => {
    const { get, flow, flowToken } = await form(c);
    const signIn = sealer.open<PendingSignIn>(get('pending'));
    if (!flow || !signIn) return expired(c);
    try {
      confirmEmailVerification(ctx, signIn.user_id, { code: get('code') }, { reprove: signIn.email_unproven === true });
    } catch (error) {
      const email = world.users.get(signIn.user_id)?.email ?? '';
      return render(c, verifyEmailPage({ flow: flowToken, pending: get('pending'), email, error: messageOf(error) }));
    }
    const { email_unproven: _proven, ...proven } = signIn;
    return finish(c, flow, flowToken, proven);
  });

  app.post(AUTHORIZE_ACTIONS.mfa, async (c) => {
    const { get, flow, flowToken } = await form(c);
    const signIn = sealer.open<PendingSignIn>(get('pending'));
    if (!flow || !signIn) return expired(c);
    const step = { flow: flowToken, pending: get('pending'), challengeId: get('challenge_id') };
    const again = (error: string) =>
      get('secret')
        ? render(c, mfaEnrollPage({ ...step, secret: get('secret'), uri: get('uri'), error }))
        : render(c, mfaChallengePage({ ...step, error }));
    try {
      const result = verifyChallenge(ctx, step.challengeId, get('code'));
      // The challenge must belong to the user this sealed sign-in is for.
      if (result.userId !== signIn.user_id) return expired(c);
      if (!result.valid) return again('That code is not valid. Try the current one.');
    } catch (error) {
      return again(messageOf(error));
    }
    return finish(c, flow, flowToken, { ...signIn, mfa_verified: true });
  });

  app.post(AUTHORIZE_ACTIONS.organization, async (c) => {
    const { get, flow, flowToken } = await form(c);
    const signIn = sealer.open<PendingSignIn>(get('pending'));
    if (!flow || !signIn) return expired(c);
    const organizationId = get('organization_id');
    const member = [...world.memberships.values()].some(
      (m) => m.user_id === signIn.user_id && m.organization_id === organizationId && m.status === 'active',
    );
    if (!member)
      return render(c, hostedErrorPage('Not a member', 'You are not an active member of that organization.', 403));
    return finish(c, flow, flowToken, { ...signIn, organization_id: organizationId });
  });

  app.post(AUTHORIZE_ACTIONS.testIdp, async (c) => {
    const { get, flow, flowToken } = await form(c);
    if (!flow) return expired(c);
    const connection = world.connections.get(get('connection_id'));
    if (!connection)
      return render(c, hostedErrorPage('Unknown connection', 'The SSO connection no longer exists.', 404));
    if (get('action') === 'cancel') {
      if (!flow.req)
        return render(c, hostedErrorPage('Sign-in cancelled', 'You cancelled sign-in at the identity provider.', 200));
      return c.redirect(
        authorizationErrorRedirect(flow.req, 'access_denied', 'The user cancelled sign-in at the identity provider.'),
        303,
      );
    }
    const identity = {
      email: get('email'),
      first_name: get('first_name') || null,
      last_name: get('last_name') || null,
    };
    if (!/^[^@\s]+@[^@\s]+$/.test(identity.email))
      return showIdp(c, flowToken, connection.id, identity.email, 'Enter a valid email address.');
    if (flow.mode === 'sso' && flow.req)
      return c.redirect(completeSsoAuthorization(ctx, flow.req, connection, identity), 303);
    try {
      return finish(c, flow, flowToken, ssoUserSignIn(ctx, connection, identity));
    } catch (error) {
      // WorkOS sends a profile outside the organization's domains back to the app as an error.
      if (
        flow.req &&
        error instanceof EmulatorError &&
        error.body.code === 'profile_not_allowed_outside_organization'
      ) {
        return c.redirect(authorizationErrorRedirect(flow.req, error.body.code, error.message), 303);
      }
      return showIdp(c, flowToken, connection.id, identity.email, messageOf(error));
    }
  });

  return app;
}
