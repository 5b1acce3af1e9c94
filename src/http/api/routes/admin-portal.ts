// Admin portal links: a short-lived WorkOS-hosted page where the customer's IT team sets up SSO,
// directory sync, domain verification and the rest, without access to Gatehouse itself.
import { z } from 'zod';
import { actorOf } from '../../../audit/actor.ts';
import { appendAuditEvent } from '../../../audit/audit-log.ts';
import { AppError } from '../../../core/errors.ts';
import { PORTAL_INTENTS, type OrganizationAdmin, type PortalIntent } from '../../../identity/organization-admin.ts';
import type { Store } from '../../../store/store.ts';
import { inTenant } from '../../../store/tenant.ts';
import type { Api } from '../define-api.ts';
import { orgParams } from '../common.ts';

/** WorkOS portal links live five minutes. */
export const PORTAL_LINK_TTL_MS = 5 * 60 * 1000;

const body = z.strictObject({
  intent: z.enum(PORTAL_INTENTS as [PortalIntent, ...PortalIntent[]]),
  returnUrl: z.url({ protocol: /^https?$/ }).max(2048).optional(),
});

export function adminPortalRoutes(api: Api, deps: { store: Store; admin: Pick<OrganizationAdmin, 'generatePortalLink'>; publicUrl: string }): void {
  const origin = deps.publicUrl ? new URL(deps.publicUrl).origin : null;
  api.add({
    method: 'post',
    path: '/organizations/{orgId}/admin-portal-links',
    summary: 'Create a short-lived admin portal link for the organization\'s IT team',
    tag: 'SSO',
    permission: 'sso:manage',
    params: orgParams,
    body,
    responses: { 201: { description: 'The link', schema: z.object({ link: z.string(), expiresAt: z.string() }) } },
    handler: async ({ params, body, auth }) => {
      // An open redirect through the portal would send the customer's IT admin anywhere.
      if (body.returnUrl && new URL(body.returnUrl).origin !== origin) {
        throw new AppError('REQUEST_INVALID', 'returnUrl must be on this application\'s own origin', { details: { errors: [{ path: 'body.returnUrl', message: `expected a URL on ${origin}` }] } });
      }
      const { link } = await deps.admin.generatePortalLink({ organizationId: params.orgId, intent: body.intent, returnUrl: body.returnUrl });
      const expiresAt = new Date(Date.now() + PORTAL_LINK_TTL_MS).toISOString();
      await inTenant(deps.store.db, params.orgId, (tx) =>
        appendAuditEvent(tx, { organizationId: params.orgId, type: 'admin_portal.link_created', actor: actorOf(auth), target: { type: 'organization', id: params.orgId }, data: { intent: body.intent, expiresAt } }),
      );
      return { status: 201, body: { link, expiresAt } };
    },
  });
}
