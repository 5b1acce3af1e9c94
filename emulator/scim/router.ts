import { Hono } from 'hono';
import type { World } from '../state/world.ts';
import { scimAuth } from './auth.ts';
import {
  ensureEnterpriseExtension,
  listResponse,
  resourceTypes,
  schemaDocuments,
  serviceProviderConfig,
} from './discovery.ts';
import { ScimError } from './errors.ts';
import { mountGroups } from './groups.ts';
import { scim, scimErrorResponse, scimJson, type ScimEnv } from './http.ts';
import { mountUsers } from './users.ts';

// The SCIM 2.0 service of every directory. The emulator core mounts this router at
// `/scim/v2`, so a directory's SCIM base URL (what an IT admin pastes into Okta or Entra) is
//   <emulator origin>/scim/v2/<directory id>
// with the directory's own bearer token. Routes below are relative to that base:
//   GET                 /ServiceProviderConfig, /ResourceTypes[/:id], /Schemas[/:id]
//   GET, POST           /Users, /Groups        (GET takes filter, startIndex, count, excludedAttributes)
//   GET, PUT, PATCH, DELETE /Users/:id, /Groups/:id

export const SCIM_MOUNT_PATH = '/scim/v2';

export function scimBaseUrl(origin: string, directoryId: string): string {
  return `${origin.replace(/\/$/, '')}${SCIM_MOUNT_PATH}/${directoryId}`;
}

export function createScimRouter(world: World): Hono<ScimEnv> {
  ensureEnterpriseExtension();
  const app = new Hono<ScimEnv>();
  app.use('/:directoryId/*', scimAuth(world));
  app.use('/:directoryId', scimAuth(world));

  app.get(
    '/:directoryId/ServiceProviderConfig',
    scim((c) => scimJson(c, serviceProviderConfig(c.get('base')))),
  );
  app.get(
    '/:directoryId/ResourceTypes',
    scim((c) => {
      const types = resourceTypes(c.get('base'));
      return scimJson(c, listResponse(types, types.length, 1));
    }),
  );
  app.get(
    '/:directoryId/ResourceTypes/:id',
    scim((c) => {
      const found = resourceTypes(c.get('base')).find((t) => t.id === c.req.param('id'));
      if (!found) throw new ScimError(404, `ResourceType ${c.req.param('id')} not found`);
      return scimJson(c, found);
    }),
  );
  app.get(
    '/:directoryId/Schemas',
    scim((c) => {
      const docs = schemaDocuments(c.get('base'));
      return scimJson(c, listResponse(docs, docs.length, 1));
    }),
  );
  app.get(
    '/:directoryId/Schemas/:id',
    scim((c) => {
      const found = schemaDocuments(c.get('base')).find((s) => s.id === c.req.param('id'));
      if (!found) throw new ScimError(404, `Schema ${c.req.param('id')} not found`);
      return scimJson(c, found);
    }),
  );

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
