// Admin portal links: a short-lived WorkOS-hosted page where the customer's IT team sets up SSO,
// directory sync, domain verification and the rest, without access to Gatehouse itself.
import { z } from 'zod';
import { PORTAL_INTENTS, type OrganizationAdmin, type PortalIntent } from '../../../identity/organization-admin.ts';
import { createPortalLink } from '../../../organizations/sso-settings.ts';
import type { Store } from '../../../store/store.ts';
import type { Api } from '../define-api.ts';
import { orgParams } from '../common.ts';

const body = z.strictObject({
  intent: z.enum(PORTAL_INTENTS as [PortalIntent, ...PortalIntent[]]),
  returnUrl: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .optional(),
});

export function adminPortalRoutes(
  api: Api,
  deps: { store: Store; admin: Pick<OrganizationAdmin, 'generatePortalLink'>; publicUrl: string },
): void {
  api.add({
    method: 'post',
    path: '/organizations/{orgId}/admin-portal-links',
    summary: "Create a short-lived admin portal link for the organization's IT team",
    tag: 'SSO',
    permission: 'sso:manage',
    params: orgParams,
    body,
    responses: { 201: { description: 'The link', schema: z.object({ link: z.string(), expiresAt: z.string() }) } },
    handler: async ({ params, body, auth }) => ({
      status: 201,
      body: await createPortalLink(
        { db: deps.store.db, admin: deps.admin, publicUrl: deps.publicUrl },
        auth,
        params.orgId,
        body,
      ),
    }),
  });
}
