import type { Context } from 'hono';
import { html } from 'hono/html';
import type { EmulatorContext } from '../services/context.ts';
import type { PendingSignIn } from '../state/types.ts';
import { EmulatorError } from '../services/errors.ts';
import { completeAuthorization, type AuthorizeRequest } from '../services/authorize.ts';
import { acceptInvitationFor, findInvitationByToken } from '../services/invitations.ts';
import { markEmailVerified, sendEmailVerification } from '../services/one-time-codes.ts';
import { createChallenge, enrollFactor, userFactors } from '../services/mfa.ts';
import { mfaChallengePage, mfaEnrollPage } from './mfa-pages.ts';
import type { FlowSealer } from './flow-token.ts';
import { page, type Markup } from './layout.ts';
import { hostedErrorPage, organizationPage, verifyEmailPage } from './sign-in-pages.ts';

// The last stretch of every hosted sign-in, once the person is known (password, magic code,
// sign-up or the test IdP): accept the invitation the flow carries, verify the email, pass the
// second factor (password and magic-code sign-ins; SSO leaves MFA to the IdP), pick an
// organization, then either hand the app a code on its redirect URI or, for an invitation
// opened from its email link (no app in sight), say the invitation was accepted.

/** What travels (sealed) between the hosted pages. */
export interface Flow {
  /** authkit: `/user_management/authorize`; sso: `/sso/authorize`; invite: the invitation email link. */
  mode: 'authkit' | 'sso' | 'invite';
  req: AuthorizeRequest | null;
  invitation: string | null;
}

export const FLOW_TTL_MS = 30 * 60 * 1000;
const PENDING_TTL_MS = 10 * 60 * 1000;

export type Rendered = { markup: Markup; status: number };

export function render(c: Context, view: Rendered): Response | Promise<Response> {
  return c.html(view.markup, view.status as 200);
}

/** What a service error tells the person at the keyboard (never a token or a code). */
export function messageOf(error: unknown): string {
  if (error instanceof EmulatorError) {
    const field = error.body.errors?.[0];
    return field?.message ?? error.body.message ?? error.body.error_description ?? 'Something went wrong.';
  }
  throw error;
}

export function createFinisher(ctx: EmulatorContext, sealer: FlowSealer) {
  const { world } = ctx;

  /** Accepts the flow's invitation for this user; a Rendered page when it cannot be. */
  function acceptInvitation(flow: Flow, signIn: PendingSignIn): PendingSignIn | Rendered {
    const token = flow.invitation ?? flow.req?.invitation_token ?? null;
    if (!token) return signIn;
    const user = world.users.get(signIn.user_id)!;
    const invitation = findInvitationByToken(ctx, token);
    // A later step of the same flow (organization choice) finds it already accepted by this user.
    if (invitation?.state === 'accepted' && invitation.accepted_user_id === user.id) return signIn;
    if (invitation?.state !== 'pending') {
      return hostedErrorPage(
        'Invitation not valid',
        'This invitation has expired, was revoked or was already accepted.',
        400,
      );
    }
    if (invitation.email !== user.email) {
      return hostedErrorPage('Wrong account', 'This invitation was sent to another email address.', 403);
    }
    markEmailVerified(ctx, user); // the invitation reached this mailbox
    acceptInvitationFor(ctx, invitation, user);
    return invitation.organization_id ? { ...signIn, organization_id: invitation.organization_id } : signIn;
  }

  return function finish(c: Context, flow: Flow, flowToken: string, start: PendingSignIn) {
    const user = world.users.get(start.user_id);
    if (!user) return render(c, hostedErrorPage('Sign-in expired', 'Start again from the application.', 400));
    const accepted = acceptInvitation(flow, start);
    if ('markup' in accepted) return render(c, accepted);
    let signIn = accepted;
    const pending = sealer.seal(signIn, PENDING_TTL_MS);
    if (!user.email_verified || signIn.email_unproven) {
      sendEmailVerification(ctx, user.id);
      return render(c, verifyEmailPage({ flow: flowToken, pending, email: user.email }));
    }
    if (!signIn.mfa_verified && signIn.auth_method !== 'sso') {
      // The same rule the code exchange enforces (services/mfa.ts), met here so the app's
      // code redeems without an mfa_* answer, as AuthKit's hosted UI does.
      const factor = userFactors(ctx, user.id)[0];
      if (factor) {
        const challenge = createChallenge(ctx, factor.id);
        return render(c, mfaChallengePage({ flow: flowToken, pending, challengeId: challenge.id }));
      }
      if (world.settings.mfa_required) {
        const enrolled = enrollFactor(ctx, user.id, { type: 'totp', totp_user: user.email });
        const { secret, uri } = enrolled.authentication_factor.totp;
        return render(
          c,
          mfaEnrollPage({ flow: flowToken, pending, challengeId: enrolled.authentication_challenge.id, secret, uri }),
        );
      }
    }
    if (!signIn.organization_id) {
      const active = [...world.memberships.values()].filter((m) => m.user_id === user.id && m.status === 'active');
      if (active.length > 1 && flow.mode !== 'invite' && world.settings.hosted_organization_selection) {
        const organizations = active.map((m) => ({
          id: m.organization_id,
          name: world.organizations.get(m.organization_id)?.name ?? m.organization_id,
        }));
        return render(c, organizationPage({ flow: flowToken, pending, organizations }));
      }
      if (active.length === 1) signIn = { ...signIn, organization_id: active[0]!.organization_id };
    }
    if (!flow.req) {
      const org = signIn.organization_id ? world.organizations.get(signIn.organization_id)?.name : undefined;
      return render(
        c,
        page(
          'Invitation accepted',
          html`<h1>Invitation accepted</h1>
<p id="invitation-accepted">You are signed up as <strong>${user.email}</strong>${org ? html` and a member of <strong>${org}</strong>` : ''}.
Return to the application and sign in.</p>`,
        ),
      );
    }
    return c.redirect(completeAuthorization(ctx, flow.req, signIn), 303);
  };
}
