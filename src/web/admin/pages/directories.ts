// Directories page: the SCIM directories Gatehouse serves for this organization (for identity
// providers that provision people directly, without WorkOS). Create one (its base URL and bearer
// token shown once on the page the form lands on, never in a URL: see reveal.ts), rotate its
// token with an overlap, revoke its tokens, delete it (everyone it provisioned is deprovisioned).
import { html } from 'hono/html';
import { z } from 'zod';
import { enforceGrant, granterOf } from '../../../access/ceiling.ts';
import { actorOf } from '../../../audit/actor.ts';
import { AppError } from '../../../core/errors.ts';
import type { AccessRevoker } from '../../../mirror/context.ts';
import {
  createScimDirectory,
  deleteScimDirectory,
  listScimDirectories,
  revokeScimTokens,
  rotateScimToken,
} from '../../../scim/directories.ts';
import { scimBaseUrl } from '../../../scim/router.ts';
import { inTenant } from '../../../store/tenant.ts';
import { plural } from '../../chrome.ts';
import type { AdminPage, PageContext } from '../admin-pages.ts';
import { adminHref, formatTime } from '../layout.ts';

const directoryId = z.string().regex(/^directory_[0-9A-Za-z]{8,40}$/);
const OVERLAPS = [
  ['0', 'None: the old token stops now'],
  ['3600', 'One hour'],
  ['86400', 'One day'],
  ['604800', 'One week'],
] as const;

function revoker(ctx: PageContext): AccessRevoker {
  const access = ctx.services.accessRevoker;
  if (!access) throw new AppError('PROVIDER_UNAVAILABLE', 'Directory provisioning is not available on this server');
  return access;
}

function parseDirectory(form: Record<string, string>): string {
  const id = directoryId.safeParse(form.directoryId);
  if (!id.success) throw new AppError('REQUEST_INVALID', 'Unknown directory.');
  return id.data;
}

export const directoriesPage: AdminPage = {
  section: 'directories',
  title: 'Directories',
  permission: 'directory:manage',
  inlineErrors: ['create'],
  async render({ store, orgId, services, failed }) {
    const directories = await inTenant(store.db, orgId, (tx) => listScimDirectories(tx, orgId));
    const href = adminHref(orgId, 'directories');
    const base = scimBaseUrl(services.publicUrl ?? '');
    const typed = failed?.action === 'create' ? failed.form : undefined;
    return html`
<section aria-labelledby="dirs-title"><h2 id="dirs-title">SCIM directories</h2>
<p class="muted">Point Okta, Microsoft Entra ID or Google Workspace at the base URL below with a directory's bearer token. People on this organization's verified domains are provisioned and deprovisioned as the directory says; groups map to roles on the Roles page.</p>
<p>Base URL: <code>${base}</code></p>
${
  directories.length === 0
    ? html`<p class="empty">No SCIM directories yet.</p>`
    : html`
<div class="table-wrap"><table><caption class="muted">${plural(directories.length, 'directory', 'directories')}</caption><thead><tr><th scope="col">Name</th><th scope="col">Users</th><th scope="col">Groups</th><th scope="col">Tokens</th><th scope="col">Created</th><th scope="col"><span class="muted">Actions</span></th></tr></thead>
<tbody>${directories.map(
        (d) => html`<tr><td>${d.name}<br><code class="muted">${d.id}</code></td><td>${d.users}</td><td>${d.groups}</td>
<td>${d.tokens.length === 0 ? html`<span class="muted">none (revoked)</span>` : d.tokens.map((t) => html`<code>${t.prefix}…</code> ${t.expiresAt ? html`<span class="muted">until ${formatTime(t.expiresAt)}</span>` : ''}<br>`)}</td>
<td class="nowrap">${formatTime(d.createdAt)}</td>
<td><form method="post" action="${href}/rotate"><input type="hidden" name="directoryId" value="${d.id}">
<label for="overlap-${d.id}">Old token keeps working</label>
<select id="overlap-${d.id}" name="overlapSeconds">${OVERLAPS.map(([v, l]) => html`<option value="${v}" ${v === '86400' ? 'selected' : ''}>${l}</option>`)}</select>
<button type="submit">Rotate token</button></form>
<form method="post" action="${href}/revoke"><input type="hidden" name="directoryId" value="${d.id}"><button type="submit">Revoke tokens</button></form>
<form method="post" action="${href}/delete"><input type="hidden" name="directoryId" value="${d.id}"><button type="submit">Delete</button></form></td></tr>`,
      )}</tbody></table></div>`
}
</section>
<section aria-labelledby="new-dir-title"><h2 id="new-dir-title">New directory</h2>
<form method="post" action="${href}/create">
<label for="dir-name">Name</label><input id="dir-name" name="name" required maxlength="200" value="${typed?.name ?? ''}" placeholder="Okta">
<p><button type="submit">Create directory</button></p></form>
</section>`;
  },
  actions: {
    create: {
      permission: 'directory:manage',
      async run(ctx, form) {
        const { store, orgId, auth, permissions } = ctx;
        const name = z.string().trim().min(1, 'Give the directory a name.').max(200).safeParse(form.name);
        if (!name.success) throw new AppError('REQUEST_INVALID', name.error.issues[0]!.message);
        const org = await inTenant(store.db, orgId, (tx) =>
          tx.selectFrom('organizations').select('default_role_slug').where('id', '=', orgId).executeTakeFirst(),
        );
        // A directory provisions people with the default role: creating one grants that role.
        await enforceGrant(store.db, orgId, granterOf(auth, orgId, permissions), {
          path: 'directory',
          roleSlug: org?.default_role_slug ?? 'member',
        });
        const created = await createScimDirectory(
          { db: store.db, access: revoker(ctx) },
          { organizationId: orgId, name: name.data, actor: actorOf(auth) },
        );
        return {
          notice: `Directory ${created.directory.name} created. Base URL ${scimBaseUrl(ctx.services.publicUrl ?? '')}; copy its token now, it is not shown again.`,
          label: `${created.directory.name} SCIM token`,
          secret: created.token,
        };
      },
    },
    rotate: {
      permission: 'directory:manage',
      async run({ store, orgId, auth }, form) {
        const overlap = OVERLAPS.find(([v]) => v === form.overlapSeconds)?.[0] ?? '86400';
        const rotated = await rotateScimToken(store.db, {
          organizationId: orgId,
          directoryId: parseDirectory(form),
          overlapSeconds: Number(overlap),
          actor: actorOf(auth),
        });
        return {
          notice: `New token for ${rotated.directory.name}; copy it now, it is not shown again.`,
          label: `${rotated.directory.name} SCIM token`,
          secret: rotated.token,
        };
      },
    },
    revoke: {
      permission: 'directory:manage',
      async run({ store, orgId, auth }, form) {
        const n = await revokeScimTokens(store.db, {
          organizationId: orgId,
          directoryId: parseDirectory(form),
          actor: actorOf(auth),
        });
        return `${plural(n, 'token')} revoked. They stop working at once.`;
      },
    },
    delete: {
      permission: 'directory:manage',
      async confirm() {
        return {
          question: 'Delete this directory?',
          consequence: 'Its tokens stop at once and everyone it provisioned loses access to this organization.',
          confirmLabel: 'Delete directory',
        };
      },
      async run(ctx, form) {
        await deleteScimDirectory(
          { db: ctx.store.db, access: revoker(ctx) },
          { organizationId: ctx.orgId, directoryId: parseDirectory(form), actor: actorOf(ctx.auth) },
        );
        return 'Directory deleted; everyone it provisioned was deprovisioned.';
      },
    },
  },
};
