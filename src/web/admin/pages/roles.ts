// Roles page: built-in and custom roles with their permissions; create and delete custom roles. The
// permissions to pick from are the install's catalogue, grouped: Gatehouse's own, then the app's.
import { html } from 'hono/html';
import { z } from 'zod';
import { granterOf } from '../../../access/ceiling.ts';
import { actorOf } from '../../../audit/actor.ts';
import { AppError } from '../../../core/errors.ts';
import type { PermissionCatalogue, PermissionSource } from '../../../core/permission-catalogue.ts';
import { createRole, deleteRole, listRoles } from '../../../organizations/roles.ts';
import { inTenant } from '../../../store/tenant.ts';
import {
  listDirectoryGroups,
  removeGroupRoleMapping,
  setGroupRoleMapping,
} from '../../../directory/group-role-mappings.ts';
import { adminHref } from '../layout.ts';
import type { AdminPage } from '../admin-pages.ts';

const createForm = z.object({
  slug: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,47}$/, 'The slug takes lowercase letters, digits and dashes (2-48 characters).'),
  name: z.string().trim().min(1, 'Give the role a name.').max(100, 'The name is too long.'),
  description: z.string().max(500, 'The description is too long.').optional(),
});

const GROUPS: [PermissionSource, string][] = [
  ['gatehouse', 'Gatehouse'],
  ['app', 'This app'],
];

/** One fieldset per source; the app's appears only when GATEHOUSE_APP_PERMISSIONS_FILE declares some. */
function permissionFieldsets(catalogue: PermissionCatalogue, typed: Record<string, string> | undefined) {
  return GROUPS.map(([source, legend]) => {
    const entries = catalogue.entries.filter((e) => e.source === source);
    if (entries.length === 0) return '';
    return html`<fieldset><legend>Permissions: ${legend}</legend>${entries.map(
      (e) =>
        html`<label class="check" for="perm-${e.slug}"><input type="checkbox" id="perm-${e.slug}" name="perm:${e.slug}" value="on" ${typed?.[`perm:${e.slug}`] ? 'checked' : ''}><span><code>${e.slug}</code> — ${e.description}</span></label>`,
    )}</fieldset>`;
  });
}

export const rolesPage: AdminPage = {
  section: 'roles',
  title: 'Roles',
  permission: 'members:read',
  inlineErrors: ['create'],
  async render({ store, orgId, auth, failed, permissions }) {
    const typed = failed?.action === 'create' ? failed.form : undefined;
    const [roles, groups] = await inTenant(
      store.db,
      orgId,
      async (tx) => [await listRoles(tx, orgId, permissions), await listDirectoryGroups(tx, orgId)] as const,
    );
    const canManage = auth.permissions.includes('roles:manage') || auth.isSuperAdmin;
    return html`
<div class="table-wrap"><table><thead><tr><th scope="col">Role</th><th scope="col">Permissions</th><th scope="col">Kind</th><th scope="col"><span class="muted">Actions</span></th></tr></thead>
<tbody>${roles.map(
      (
        r,
      ) => html`<tr><td><strong>${r.name}</strong> <code>${r.slug}</code><br><span class="muted">${r.description}</span></td>
<td>${r.permissions.length ? r.permissions.map((p) => html`<code>${p}</code> `) : html`<span class="empty">none</span>`}</td>
<td>${r.builtIn ? 'built-in' : 'custom'}</td>
<td>${!r.builtIn && canManage ? html`<form class="inline" method="post" action="${adminHref(orgId, 'roles')}/delete"><input type="hidden" name="slug" value="${r.slug}"><button type="submit" class="danger" aria-label="Delete role ${r.name}">Delete</button></form>` : ''}</td></tr>`,
    )}</tbody></table></div>
${
  canManage
    ? html`<section aria-labelledby="create-role-title"><h2 id="create-role-title">Create a custom role</h2>
<form method="post" action="${adminHref(orgId, 'roles')}/create">
${typed ? html`<p class="error" role="alert">${failed!.message}</p>` : ''}
<label for="role-slug">Slug</label><input id="role-slug" name="slug" required pattern="[a-z][a-z0-9\\-]{1,47}" title="2 to 48 lowercase letters, digits and dashes, starting with a letter" placeholder="auditor" value="${typed?.slug ?? ''}">
<p class="field-hint">Lowercase letters, digits and dashes, starting with a letter. Apps see it in the role claim.</p>
<label for="role-name">Name</label><input id="role-name" name="name" required maxlength="100" value="${typed?.name ?? ''}">
<label for="role-description">Description</label><input id="role-description" name="description" maxlength="500" value="${typed?.description ?? ''}">
${permissionFieldsets(permissions, typed)}
<p><button type="submit">Create role</button></p></form></section>`
    : ''
}
<h2>Directory group mappings</h2>
${
  groups.length === 0
    ? html`<p class="empty">No directory groups yet. Once a directory is connected, map its groups to roles here; members get the role of their highest-priority mapped group.</p>`
    : html`
<div class="table-wrap"><table><thead><tr><th scope="col">Directory group</th><th scope="col">Role</th><th scope="col">Priority</th>${canManage ? html`<th scope="col"><span class="muted">Change</span></th>` : ''}</tr></thead>
<tbody>${groups.map(
        (
          g,
        ) => html`<tr><td>${g.name}<br><span class="id" title="${g.id}">${g.id}</span></td><td>${g.role ?? html`<span class="muted">not mapped</span>`}</td><td>${g.priority ?? '—'}</td>
${
  canManage
    ? html`<td><form class="inline" method="post" action="${adminHref(orgId, 'roles')}/map"><input type="hidden" name="groupId" value="${g.id}">
<label for="map-role-${g.id}" class="muted inline-label">Role for ${g.name}</label> <select id="map-role-${g.id}" name="role"><option value="">(not mapped)</option>${roles.map((r) => html`<option value="${r.slug}" ${r.slug === g.role ? 'selected' : ''}>${r.name}</option>`)}</select>
<label for="map-priority-${g.id}" class="muted inline-label">priority</label> <input id="map-priority-${g.id}" name="priority" type="number" min="0" max="1000" value="${g.priority ?? 0}" class="narrow-number">
<button type="submit" class="secondary">Save</button></form></td>`
    : ''
}</tr>`,
      )}</tbody></table></div>`
}`;
  },
  actions: {
    create: {
      permission: 'roles:manage',
      async run({ store, orgId, auth, permissions: catalogue, services }, form) {
        const parsed = createForm.safeParse(form);
        if (!parsed.success) throw new AppError('REQUEST_INVALID', parsed.error.issues[0]!.message);
        const permissions = Object.keys(form)
          .filter((k) => k.startsWith('perm:'))
          .map((k) => k.slice(5))
          .filter((p) => catalogue.has(p));
        await createRole(
          store.db,
          orgId,
          { ...parsed.data, permissions },
          granterOf(auth, orgId, catalogue),
          services.organizationAdmin,
        );
        return `Role ${parsed.data.name} created.`;
      },
    },
    map: {
      permission: 'roles:manage',
      async run({ store, orgId, auth, services, permissions }, form) {
        const groupId = z
          .string()
          .regex(/^directory_group_[0-9A-Za-z]{8,40}$/)
          .safeParse(form.groupId);
        if (!groupId.success) throw new AppError('REQUEST_INVALID', 'Unknown directory group.');
        if (!services.accessRevoker)
          throw new AppError('PROVIDER_UNAVAILABLE', 'Directory sync is not configured on this server');
        if (!form.role) {
          await removeGroupRoleMapping(
            store.db,
            services.accessRevoker,
            orgId,
            groupId.data,
            granterOf(auth, orgId, permissions),
          );
          return 'Mapping removed; members were recomputed.';
        }
        const role = z
          .string()
          .regex(/^[a-z][a-z0-9-]{1,47}$/)
          .safeParse(form.role);
        const priority = z.coerce
          .number()
          .int()
          .min(0)
          .max(1000)
          .safeParse(form.priority ?? '0');
        if (!role.success || !priority.success)
          throw new AppError('REQUEST_INVALID', 'Choose a role and a priority between 0 and 1000.');
        await setGroupRoleMapping(
          store.db,
          services.accessRevoker,
          orgId,
          { directoryGroupId: groupId.data, roleSlug: role.data, priority: priority.data },
          granterOf(auth, orgId, permissions),
        );
        return 'Mapping saved; members were recomputed.';
      },
    },
    delete: {
      permission: 'roles:manage',
      async confirm(_ctx, form) {
        return {
          question: `Delete the role ${form.slug ?? ''}?`,
          consequence:
            'Members, API keys and directory group mappings must not use it any more; a role still in use is refused.',
          confirmLabel: `Delete ${form.slug ?? 'the role'}`,
        };
      },
      async run({ store, orgId, auth, services }, form) {
        const slug = z
          .string()
          .regex(/^[a-z][a-z0-9-]{1,47}$/)
          .safeParse(form.slug);
        if (!slug.success) throw new AppError('REQUEST_INVALID', 'Unknown role.');
        await deleteRole(store.db, orgId, slug.data, actorOf(auth), services.organizationAdmin);
        return `Role ${slug.data} deleted.`;
      },
    },
  },
};
