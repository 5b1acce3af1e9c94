import { Hono } from 'hono';
import type { World } from '../state/world.ts';
import { scimAuth } from './auth.ts';
import { type DiscoveryOptions, ensureEnterpriseExtension } from '../../protocols/scim/discovery.ts';
import { ScimError } from '../../protocols/scim/errors.ts';
import { mountGroups } from './groups.ts';
import { discoveryRoutes } from '../../protocols/scim/http.ts';
import { scim, scimErrorResponse, type ScimEnv } from './http.ts';
import { mountUsers } from './users.ts';

// The SCIM 2.0 service of every directory. The emulator core mounts this router at
// `/scim/v2`, so a directory's SCIM base URL (what an IT admin pastes into Okta or Entra) is
//   <emulator origin>/scim/v2/<directory id>
// with the directory's own bearer token. Routes below are relative to that base:
//   GET                 /ServiceProviderConfig, /ResourceTypes[/:id], /Schemas[/:id]
//   GET, POST           /Users, /Groups        (GET takes filter, startIndex, count, excludedAttributes)
//   GET, PUT, PATCH, DELETE /Users/:id, /Groups/:id

export const SCIM_MOUNT_PATH = '/scim/v2';

/** What ServiceProviderConfig states for an emulated directory: like WorkOS, no ETags. */
const DISCOVERY: DiscoveryOptions = {
  documentationUri: 'https://workos.com/docs/directory-sync',
  etagSupported: false,
  tokenDescription: 'The directory\u2019s SCIM bearer token, shown when the directory is set up',
};

export function scimBaseUrl(origin: string, directoryId: string): string {
  return `${origin.replace(/\/$/, '')}${SCIM_MOUNT_PATH}/${directoryId}`;
}

export function createScimRouter(world: World): Hono<ScimEnv> {
  ensureEnterpriseExtension();
  const app = new Hono<ScimEnv>();
  app.use('/:directoryId/*', scimAuth(world));
  app.use('/:directoryId', scimAuth(world));

  for (const [path, handler] of Object.entries(discoveryRoutes(DISCOVERY))) {
    app.get(`/:directoryId${path}`, scim(handler));
  }

  mountUsers(app, world);
  mountGroups(app, world);

  // Mounted inside the emulator app, the parent's not-found handler would answer instead of this
  // router's: a catch-all keeps every unknown SCIM path a SCIM error body.
  app.all('/:directoryId/*', (c) =>
    scimErrorResponse(c, new ScimError(404, `Endpoint not found: ${c.req.method} ${c.req.path}`)),
  );
  app.notFound((c) => scimErrorResponse(c, new ScimError(404, 'Endpoint not found')));
  app.onError((error, c) => scimErrorResponse(c, error));
  return app;
}
