// Roles page: built-in and custom roles with their permissions; create and delete custom roles.
import { html } from 'hono/html';
import { z } from 'zod';
import { actorOf } from '../../../audit/actor.ts';
import { AppError } from '../../../core/errors.ts';
import { ALL_PERMISSIONS, PERMISSIONS, isPermission } from '../../../core/permissions.ts';
import { createRole, deleteRole, listRoles } from '../../../organizations/roles.ts';
import { inTenant } from '../../../store/tenant.ts';
import { adminHref } from '../layout.ts';
import type { AdminPage } from '../admin-pages.ts';

const createForm = z.object({
  slug: z.string().regex(/^[a-z][a-z0-9-]{1,47}$/, 'The slug takes lowercase letters, digits and dashes (2-48 characters).'),
  name: z.string().trim().min(1, 'Give the role a name.').max(100, 'The name is too long.'),
  description: z.string().max(500, 'The description is too long.').optional(),
});

export const rolesPage: AdminPage = {
  section: 'roles',
  title: 'Roles',
  permission: 'members:read',
  async render({ store, orgId, auth }) {
    const roles = await inTenant(store.db, orgId, (tx) => listRoles(tx, orgId));
    const canManage = auth.permissions.includes('roles:manage') || auth.isSuperAdmin;
    return html`
<table><thead><tr><th scope="col">Role</th><th scope="col">Permissions</th><th scope="col">Kind</th><th scope="col"><span class="muted">Actions</span></th></tr></thead>
<tbody>${roles.map((r) => html`<tr><td><strong>${r.name}</strong> <code>${r.slug}</code><br><span class="muted">${r.description}</span></td>
<td>${r.permissions.length ? r.permissions.map((p) => html`<code>${p}</code> `) : html`<span class="empty">none</span>`}</td>
<td>${r.builtIn ? 'built-in' : 'custom'}</td>
<td>${!r.builtIn && canManage ? html`<form class="inline" method="post" action="${adminHref(orgId, 'roles')}/delete"><input type="hidden" name="slug" value="${r.slug}"><button type="submit" aria-label="Delete role ${r.name}">Delete</button></form>` : ''}</td></tr>`)}</tbody></table>
${canManage ? html`<h2>Create a custom role</h2>
<form method="post" action="${adminHref(orgId, 'roles')}/create">
<label for="role-slug">Slug</label><input id="role-slug" name="slug" required pattern="[a-z][a-z0-9-]{1,47}" placeholder="auditor">
<label for="role-name">Name</label><input id="role-name" name="name" required maxlength="100">
<label for="role-description">Description</label><input id="role-description" name="description" maxlength="500">
<fieldset><legend>Permissions</legend>${ALL_PERMISSIONS.map((p) => html`<div><input type="checkbox" id="perm-${p}" name="perm:${p}" value="on"><label for="perm-${p}" style="display:inline;font-weight:normal"><code>${p}</code> — ${PERMISSIONS[p]}</label></div>`)}</fieldset>
<button type="submit">Create role</button></form>` : ''}`;
  },
  actions: {
    create: {
      permission: 'roles:manage',
      async run({ store, orgId, auth }, form) {
        const parsed = createForm.safeParse(form);
        if (!parsed.success) throw new AppError('REQUEST_INVALID', parsed.error.issues[0]!.message);
        const permissions = Object.keys(form).filter((k) => k.startsWith('perm:')).map((k) => k.slice(5)).filter(isPermission);
        await createRole(store.db, orgId, { ...parsed.data, permissions }, actorOf(auth));
        return `Role ${parsed.data.name} created.`;
      },
    },
    delete: {
      permission: 'roles:manage',
      async run({ store, orgId, auth }, form) {
        const slug = z.string().regex(/^[a-z][a-z0-9-]{1,47}$/).safeParse(form.slug);
        if (!slug.success) throw new AppError('REQUEST_INVALID', 'Unknown role.');
        await deleteRole(store.db, orgId, slug.data, actorOf(auth));
        return `Role ${slug.data} deleted.`;
      },
    },
  },
};
