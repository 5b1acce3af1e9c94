import { Hono, type Context } from 'hono';
import type { EmulatorContext } from '../services/context.ts';
import type { PortalLink } from '../state/types.ts';
import { EmulatorError } from '../services/errors.ts';
import { openPortalLink } from '../services/portal.ts';
import { createConnection } from '../services/connections.ts';
import { createDirectory } from '../services/directories.ts';
import { verifyOrganizationDomain } from '../services/organizations.ts';
import type { Markup } from './layout.ts';
import { hostedErrorPage } from './sign-in-pages.ts';
import {
  domainsPage,
  dsyncDonePage,
  dsyncSetupPage,
  PORTAL_ACTIONS,
  ssoDonePage,
  ssoSetupPage,
  unsupportedIntentPage,
} from './portal-pages.ts';

// The admin portal behind the links `POST /portal/generate_link` returns
// (`<base>/portal/<intent>?token=…`). The link token is the only credential: it names one
// organization and one intent, so a link for `dsync` cannot be used to set up SSO, and every
// post re-checks it so an expired link stops working mid-way as the real portal's does.

type Rendered = { markup: Markup; status: number };

function render(c: Context, view: Rendered): Response | Promise<Response> {
  return c.html(view.markup, view.status as 200);
}

function message(error: unknown): string {
  if (!(error instanceof EmulatorError)) throw error;
  return error.body.errors?.[0]?.message ?? error.body.message ?? 'Something went wrong.';
}

export function createPortalPages(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { world } = ctx;

  /** The link for this intent, or a rendered dead-link page. */
  function redeem(c: Context, token: string, intent: string): PortalLink | Response | Promise<Response> {
    try {
      const link = openPortalLink(ctx, token);
      if (link.intent !== intent)
        throw new EmulatorError(404, { message: 'This admin portal link is for another task.' });
      return link;
    } catch (error) {
      const status = error instanceof EmulatorError ? error.status : 400;
      return render(c, hostedErrorPage('Link expired', message(error), status));
    }
  }
  const orgName = (link: PortalLink) => world.organizations.get(link.organization_id)?.name ?? link.organization_id;
  const orgDomains = (link: PortalLink) =>
    [...world.organizationDomains.values()].filter((d) => d.organization_id === link.organization_id);
  const formOf = async (c: Context) => {
    const body = await c.req.parseBody();
    return (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '');
  };

  app.get('/portal/:intent', (c) => {
    const intent = c.req.param('intent');
    const token = c.req.query('token') ?? '';
    const link = redeem(c, token, intent);
    if (link instanceof Response || link instanceof Promise) return link;
    const base = { token, organizationName: orgName(link) };
    switch (intent) {
      case 'sso': {
        const existing = [...world.connections.values()].filter((x) => x.organization_id === link.organization_id);
        return render(c, ssoSetupPage({ ...base, existing }));
      }
      case 'dsync':
        return render(c, dsyncSetupPage(base));
      case 'domain_verification':
        return render(c, domainsPage({ ...base, domains: orgDomains(link) }));
      default:
        return render(
          c,
          unsupportedIntentPage({ organizationName: base.organizationName, intent, returnUrl: link.return_url }),
        );
    }
  });

  app.post(PORTAL_ACTIONS.sso, async (c) => {
    const get = await formOf(c);
    const link = redeem(c, get('token'), 'sso');
    if (link instanceof Response || link instanceof Promise) return link;
    try {
      const domains = orgDomains(link)
        .filter((d) => d.state === 'verified' || d.state === 'legacy_verified')
        .map((d) => d.domain);
      // Creating it active announces `connection.activated`, as finishing the real portal does.
      const connection = createConnection(ctx, {
        organization_id: link.organization_id,
        connection_type: get('connection_type'),
        name: get('name') || undefined,
        state: 'active',
        domains,
      });
      return render(
        c,
        ssoDonePage({
          organizationName: orgName(link),
          connectionId: connection.id,
          successUrl: link.success_url ?? link.return_url,
        }),
      );
    } catch (error) {
      const existing = [...world.connections.values()].filter((x) => x.organization_id === link.organization_id);
      return render(
        c,
        ssoSetupPage({ token: get('token'), organizationName: orgName(link), existing, error: message(error) }),
      );
    }
  });

  app.post(PORTAL_ACTIONS.dsync, async (c) => {
    const get = await formOf(c);
    const link = redeem(c, get('token'), 'dsync');
    if (link instanceof Response || link instanceof Promise) return link;
    try {
      // createDirectory links the directory and announces `dsync.activated`.
      const created = createDirectory(ctx, {
        organization_id: link.organization_id,
        type: get('type'),
        name: get('name') || undefined,
      });
      return render(
        c,
        dsyncDonePage({
          organizationName: orgName(link),
          directoryId: created.directory.id,
          scimUrl: created.scim_url,
          scimToken: created.scim_token,
          successUrl: link.success_url ?? link.return_url,
        }),
      );
    } catch (error) {
      return render(c, dsyncSetupPage({ token: get('token'), organizationName: orgName(link), error: message(error) }));
    }
  });

  app.post(PORTAL_ACTIONS.verifyDomain, async (c) => {
    const get = await formOf(c);
    const link = redeem(c, get('token'), 'domain_verification');
    if (link instanceof Response || link instanceof Promise) return link;
    const domain = world.organizationDomains.get(get('domain_id'));
    let error: string | null = null;
    if (!domain || domain.organization_id !== link.organization_id) error = 'Unknown domain.';
    else if (verifyOrganizationDomain(ctx, domain.id).state !== 'verified')
      error = `${domain.domain} could not be verified.`;
    return render(
      c,
      domainsPage({ token: get('token'), organizationName: orgName(link), domains: orgDomains(link), error }),
    );
  });

  return app;
}
