// /connections, /directories, /directory_users, /directory_groups.
import { Hono } from 'hono';
import type { EmulatorContext } from '../../services/context.ts';
import { listParams, query, defined } from '../request.ts';
import * as connections from '../../services/connections.ts';
import * as directories from '../../services/directories.ts';

export function directorySyncRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  app.get('/connections', (c) =>
    c.json(
      connections.listConnections(
        ctx,
        defined({
          connection_type: query(c, 'connection_type'),
          domain: query(c, 'domain'),
          organization_id: query(c, 'organization_id'),
          search: query(c, 'search'),
        }),
        listParams(c),
      ),
    ),
  );
  app.get('/connections/:id', (c) => c.json(connections.getConnection(ctx, c.req.param('id'))));
  app.delete('/connections/:id', (c) => {
    connections.deleteConnection(ctx, c.req.param('id'));
    return c.body(null, 204);
  });

  app.get('/directories', (c) =>
    c.json(
      directories.listDirectories(
        ctx,
        defined({
          organization_id: query(c, 'organization_id'),
          search: query(c, 'search'),
          domain: query(c, 'domain'),
        }),
        listParams(c),
      ),
    ),
  );
  app.get('/directories/:id', (c) => c.json(directories.getDirectory(ctx, c.req.param('id'))));
  app.delete('/directories/:id', (c) => {
    directories.deleteDirectory(ctx, c.req.param('id'));
    return c.body(null, 200);
  });
  app.get('/directory_users', (c) =>
    c.json(
      directories.listDirectoryUsers(
        ctx,
        defined({ directory: query(c, 'directory'), group: query(c, 'group') }),
        listParams(c),
      ),
    ),
  );
  app.get('/directory_users/:id', (c) => c.json(directories.getDirectoryUser(ctx, c.req.param('id'))));
  app.get('/directory_groups', (c) =>
    c.json(
      directories.listDirectoryGroups(
        ctx,
        defined({ directory: query(c, 'directory'), user: query(c, 'user') }),
        listParams(c),
      ),
    ),
  );
  app.get('/directory_groups/:id', (c) => c.json(directories.getDirectoryGroup(ctx, c.req.param('id'))));
  return app;
}
