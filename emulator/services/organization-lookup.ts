// Finding an organization by id, apart from organizations.ts: the services an organization's
// deletion cascades into (connections, directories) look organizations up too, and importing
// organizations.ts for that would tie them into a loop.
import type { OrganizationWire } from '../state/types.ts';
import type { EmulatorContext } from './context.ts';
import { notFound } from './errors.ts';

export function requireOrganization(ctx: EmulatorContext, id: string): OrganizationWire {
  const org = ctx.world.organizations.get(id);
  if (!org) throw notFound('Organization', id);
  return org;
}
