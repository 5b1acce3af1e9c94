// /user_management: users, memberships, invitations, one-time codes, password reset.
import { Hono } from 'hono';
import type { EmulatorContext } from '../../services/context.ts';
import { readBody, listParams, query, queryList, defined } from '../request.ts';
import * as users from '../../services/users.ts';
import * as memberships from '../../services/memberships.ts';
import * as invitations from '../../services/invitations.ts';
import * as codes from '../../services/one-time-codes.ts';
import { listUserSessions } from '../../services/sessions.ts';
import * as emailChange from '../../services/email-change.ts';
import * as mfa from '../../services/mfa.ts';
import { createRedirectUri } from '../../services/redirect-uris.ts';
import { createCorsOrigin } from '../../services/cors-origins.ts';
import { parseInput } from '../../services/input.ts';

export function userManagementRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const base = '/user_management';

  app.post(`${base}/users`, async (c) => c.json(users.createUser(ctx, await readBody(c)), 201));
  app.get(`${base}/users`, (c) =>
    c.json(
      users.listUsers(
        ctx,
        defined({
          email: query(c, 'email'),
          organization_id: query(c, 'organization_id'),
          organization: query(c, 'organization'),
        }),
        listParams(c),
      ),
    ),
  );
  app.get(`${base}/users/external_id/:externalId`, (c) =>
    c.json(users.getUserByExternalId(ctx, c.req.param('externalId'))),
  );
  app.get(`${base}/users/:id`, (c) => c.json(users.getUser(ctx, c.req.param('id'))));
  app.put(`${base}/users/:id`, async (c) => c.json(users.updateUser(ctx, c.req.param('id'), await readBody(c))));
  app.delete(`${base}/users/:id`, (c) => {
    users.deleteUser(ctx, c.req.param('id'));
    return c.body(null, 200);
  });
  app.post(`${base}/users/:id/auth_factors`, async (c) =>
    c.json(mfa.enrollFactor(ctx, c.req.param('id'), await readBody(c)), 201),
  );
  app.get(`${base}/users/:id/auth_factors`, (c) => c.json(mfa.listFactors(ctx, c.req.param('id'), listParams(c))));
  app.post(`${base}/users/:id/email_change/send`, async (c) =>
    c.json(emailChange.sendEmailChange(ctx, c.req.param('id'), await readBody(c))),
  );
  app.post(`${base}/users/:id/email_change/confirm`, async (c) =>
    c.json(emailChange.confirmEmailChange(ctx, c.req.param('id'), await readBody(c))),
  );
  app.post('/auth/factors/enroll', async (c) => c.json(mfa.enrollStandaloneFactor(ctx, await readBody(c)), 201));
  app.get('/auth/factors/:id', (c) => c.json(mfa.getFactor(ctx, c.req.param('id'))));
  app.delete('/auth/factors/:id', (c) => {
    mfa.deleteFactor(ctx, c.req.param('id'));
    return c.body(null, 200);
  });
  app.post('/auth/factors/:id/challenge', (c) => c.json(mfa.createChallenge(ctx, c.req.param('id')), 201));
  app.post('/auth/challenges/:id/verify', async (c) => {
    const { code } = parseInput(mfa.VerifyChallengeInput, await readBody(c));
    const { challenge, valid } = mfa.verifyChallenge(ctx, c.req.param('id'), code);
    return c.json({ challenge, valid }, 201);
  });
  app.get(`${base}/users/:id/sessions`, (c) => c.json(listUserSessions(ctx, c.req.param('id'), listParams(c))));
  app.get(`${base}/users/:id/identities`, (c) => {
    users.getUser(ctx, c.req.param('id'));
    return c.json([]);
  });
  app.post(`${base}/users/:id/email_verification/send`, (c) =>
    c.json({ user: codes.sendEmailVerification(ctx, c.req.param('id'), { refuseVerified: true }).user }),
  );
  app.post(`${base}/users/:id/email_verification/confirm`, async (c) =>
    c.json(codes.confirmEmailVerification(ctx, c.req.param('id'), await readBody(c))),
  );
  app.get(`${base}/email_verification/:id`, (c) => c.json(codes.getEmailVerification(ctx, c.req.param('id'))));

  app.post(`${base}/redirect_uris`, async (c) => c.json(createRedirectUri(ctx, await readBody(c)), 201));
  app.post(`${base}/cors_origins`, async (c) => c.json(createCorsOrigin(ctx, await readBody(c)), 201));
  app.post(`${base}/magic_auth`, async (c) => c.json(codes.createMagicAuth(ctx, await readBody(c)), 201));
  app.get(`${base}/magic_auth/:id`, (c) => c.json(codes.getMagicAuth(ctx, c.req.param('id'))));
  app.post(`${base}/password_reset`, async (c) => c.json(codes.createPasswordReset(ctx, await readBody(c)), 201));
  app.post(`${base}/password_reset/confirm`, async (c) => c.json(codes.confirmPasswordReset(ctx, await readBody(c))));
  app.get(`${base}/password_reset/:id`, (c) => c.json(codes.getPasswordReset(ctx, c.req.param('id'))));

  app.post(`${base}/organization_memberships`, async (c) =>
    c.json(memberships.createMembership(ctx, await readBody(c)), 201),
  );
  app.get(`${base}/organization_memberships`, (c) =>
    c.json(
      memberships.listMemberships(
        ctx,
        defined({
          user_id: query(c, 'user_id'),
          organization_id: query(c, 'organization_id'),
          statuses: queryList(c, 'statuses'),
        }),
        listParams(c),
      ),
    ),
  );
  app.get(`${base}/organization_memberships/:id`, (c) => c.json(memberships.getMembership(ctx, c.req.param('id'))));
  app.put(`${base}/organization_memberships/:id`, async (c) =>
    c.json(memberships.updateMembership(ctx, c.req.param('id'), await readBody(c))),
  );
  app.put(`${base}/organization_memberships/:id/deactivate`, (c) =>
    c.json(memberships.deactivateMembership(ctx, c.req.param('id'))),
  );
  app.put(`${base}/organization_memberships/:id/reactivate`, (c) =>
    c.json(memberships.reactivateMembership(ctx, c.req.param('id'))),
  );
  app.delete(`${base}/organization_memberships/:id`, (c) => {
    memberships.deleteMembership(ctx, c.req.param('id'));
    return c.body(null, 200);
  });

  app.post(`${base}/invitations`, async (c) => c.json(invitations.sendInvitation(ctx, await readBody(c)), 201));
  app.get(`${base}/invitations`, (c) =>
    c.json(
      invitations.listInvitations(
        ctx,
        defined({ email: query(c, 'email'), organization_id: query(c, 'organization_id') }),
        listParams(c),
      ),
    ),
  );
  app.get(`${base}/invitations/by_token/:token`, (c) =>
    c.json(invitations.getInvitationByToken(ctx, c.req.param('token'))),
  );
  app.get(`${base}/invitations/:id`, (c) => c.json(invitations.getInvitation(ctx, c.req.param('id'))));
  app.post(`${base}/invitations/:id/accept`, (c) => c.json(invitations.acceptInvitation(ctx, c.req.param('id'))));
  app.post(`${base}/invitations/:id/revoke`, (c) => c.json(invitations.revokeInvitation(ctx, c.req.param('id'))));
  app.post(`${base}/invitations/:id/resend`, (c) => c.json(invitations.resendInvitation(ctx, c.req.param('id'))));
  return app;
}
