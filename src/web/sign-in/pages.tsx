// The sign-in pages: one per callback response type, the organization picker, password reset and
// signed-out. Server-rendered with hono/jsx (every interpolation escaped), no client script, one
// inline stylesheet, so nothing loads from elsewhere. `data-response-type` on <main> lets tests
// and support staff tell the outcome apart without parsing prose. No page ever shows a code, a
// token or a provider error text.
import type { Child, FC } from 'hono/jsx';

const STYLE = `
  :root { font-family: system-ui, sans-serif; color: #1d2433; background: #f6f7f9; }
  body { margin: 0; display: flex; justify-content: center; }
  main { background: #fff; margin: 3rem 1rem; padding: 2rem; border-radius: .5rem; max-width: 28rem; width: 100%; box-shadow: 0 1px 3px #0002; }
  h1 { font-size: 1.4rem; margin-top: 0; } .muted { color: #5b6475; }
  .list { display: grid; gap: .5rem; } button, .button { font: inherit; padding: .5rem .9rem; cursor: pointer; border-radius: .3rem;
    border: 1px solid #1d2433; background: #1d2433; color: #fff; text-decoration: none; display: inline-block; }
  button.secondary { background: #fff; color: #1d2433; } label { display: block; margin: .6rem 0 .2rem; font-weight: 600; }
  input { font: inherit; padding: .4rem; width: 100%; box-sizing: border-box; } form { margin: .5rem 0; }
  .error { background: #fdecea; border: 1px solid #f1a8a0; padding: .6rem .8rem; border-radius: .3rem; }
  :focus { outline: 3px solid #5b8def; }
`;

const Layout: FC<{ title: string; responseType?: string; children?: Child }> = ({ title, responseType, children }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="referrer" content="no-referrer" />
      <title>{title} · Gatehouse</title>
      <style dangerouslySetInnerHTML={{ __html: STYLE }} />
    </head>
    <body>
      <main data-response-type={responseType ?? ''}>{children}</main>
    </body>
  </html>
);

export const LoginSuccessfulPage: FC<{ returnTo: string; organizationId: string }> = ({ returnTo, organizationId }) => (
  <Layout title="Signed in" responseType="LOGIN_SUCCESSFUL">
    <meta http-equiv="refresh" content={`0;url=${returnTo}`} />
    <h1>You are signed in</h1>
    <p class="muted" data-organization-id={organizationId}>Taking you back…</p>
    <p><a class="button" href={returnTo}>Continue</a></p>
  </Layout>
);

export const OrganizationPickerPage: FC<{ email: string; organizations: Array<{ id: string; name: string }>; action: string }> = ({ email, organizations, action }) => (
  <Layout title="Choose an organization" responseType="ORGANIZATION_SELECTION_REQUIRED">
    <h1>Choose an organization</h1>
    <p class="muted">{email} belongs to more than one organization. Which one do you want to sign in to?</p>
    <div class="list">
      {organizations.map((o) => (
        <form method="post" action={action}>
          <input type="hidden" name="organizationId" value={o.id} />
          <button type="submit" data-organization-id={o.id}>{o.name || o.id}</button>
        </form>
      ))}
    </div>
  </Layout>
);

export const MembershipDeactivatedPage: FC<{ reason: string }> = ({ reason }) => (
  <Layout title="Access deactivated" responseType="MEMBERSHIP_DEACTIVATED">
    <h1>Your access is deactivated</h1>
    <p class="error" data-reason={reason}>
      {reason === 'no_membership'
        ? 'You are not a member of any organization here. Ask an administrator of your organization to invite you.'
        : reason === 'organization_deleted'
          ? 'This organization no longer exists.'
          : 'Your membership in this organization was deactivated. Ask one of its administrators to reactivate it.'}
    </p>
    <p><a href="/auth/login">Sign in with another account</a></p>
  </Layout>
);

export const SsoRequiredPage: FC<{ loginUrl: string }> = ({ loginUrl }) => (
  <Layout title="Single sign-on required" responseType="SSO_REQUIRED">
    <h1>Single sign-on required</h1>
    <p>This organization requires you to sign in through its identity provider.</p>
    <p><a class="button" id="continue-sso" href={loginUrl}>Continue with SSO</a></p>
  </Layout>
);

const LINK_TEXT: Record<string, string> = {
  email_verification_required: 'Verify your email address on the sign-in page, then sign in again.',
  mfa_required: 'Finish multi-factor authentication on the sign-in page, then sign in again.',
  access_denied: 'Sign-in was cancelled at the identity provider.',
};

export const LinkInvalidPage: FC<{ reason: string }> = ({ reason }) => (
  <Layout title="Sign-in link not valid" responseType="LINK_INVALID">
    <h1>This sign-in link is not valid</h1>
    <p class="error" data-reason={reason}>{LINK_TEXT[reason] ?? 'It was already used, altered, or started in another browser.'}</p>
    <p><a class="button" href="/auth/login">Sign in again</a></p>
  </Layout>
);

export const LinkExpiredPage: FC<{ reason: string }> = ({ reason }) => (
  <Layout title="Sign-in link expired" responseType="LINK_EXPIRED">
    <h1>This sign-in link has expired</h1>
    <p class="error" data-reason={reason}>Sign-in links are short-lived. Start again to get a new one.</p>
    <p><a class="button" href="/auth/login">Sign in again</a></p>
  </Layout>
);

export const SignedOutPage: FC = () => (
  <Layout title="Signed out" responseType="SIGNED_OUT">
    <h1>You are signed out</h1>
    <p><a class="button" href="/auth/login">Sign in</a></p>
  </Layout>
);

export const PasswordResetRequestPage: FC<{ sent?: boolean; error?: string | undefined }> = ({ sent, error }) => (
  <Layout title="Reset your password" responseType={sent ? 'PASSWORD_RESET_SENT' : 'PASSWORD_RESET'}>
    <h1>Reset your password</h1>
    {sent ? (
      <p>If an account uses that address, we sent it a link to choose a new password.</p>
    ) : (
      <form method="post" action="/auth/password-reset">
        {error ? <p class="error">{error}</p> : ''}
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="email" required />
        <p><button type="submit">Send reset link</button></p>
      </form>
    )}
  </Layout>
);

export const PasswordResetConfirmPage: FC<{ token: string; done?: boolean; error?: string | undefined }> = ({ token, done, error }) => (
  <Layout title="Choose a new password" responseType={done ? 'PASSWORD_RESET_DONE' : 'PASSWORD_RESET_CONFIRM'}>
    <h1>Choose a new password</h1>
    {done ? (
      <p>Your password was changed. <a href="/auth/login">Sign in</a></p>
    ) : (
      <form method="post" action="/auth/password-reset/confirm">
        {error ? <p class="error">{error}</p> : ''}
        <input type="hidden" name="token" value={token} />
        <label for="newPassword">New password</label>
        <input id="newPassword" name="newPassword" type="password" autocomplete="new-password" minlength={8} required />
        <p><button type="submit">Change password</button></p>
      </form>
    )}
  </Layout>
);
