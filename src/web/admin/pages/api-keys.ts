// API keys page: list (prefix, owner, role, created, last used, expiry), create (the secret is
// shown on the answer page once, never in a URL), revoke.
import { html } from 'hono/html';
import { z } from 'zod';
import { createApiKey, listApiKeys, revokeApiKey } from '../../../access/api-keys.ts';
import { actorOf } from '../../../audit/actor.ts';
import { AppError } from '../../../core/errors.ts';
import { listRoles } from '../../../organizations/roles.ts';
import { inTenant } from '../../../store/tenant.ts';
import { adminHref, formatTime } from '../layout.ts';
import type { AdminPage } from '../admin-pages.ts';

const createForm = z.object({
  name: z.string().trim().min(1, 'Give the key a name.').max(200, 'The name is too long.'),
  role: z.string().regex(/^[a-z][a-z0-9-]{1,47}$/, 'Choose a role.'),
  ownership: z.enum(['organization', 'personal']),
  expiresInDays: z.enum(['', '7', '30', '90', '365']),
});

export const apiKeysPage: AdminPage = {
  section: 'api-keys',
  title: 'API keys',
  permission: 'api_keys:manage',
  async render({ store, orgId }) {
    const [keys, roles] = await inTenant(store.db, orgId, async (tx) => [await listApiKeys(tx, orgId), await listRoles(tx, orgId)] as const);
    const href = adminHref(orgId, 'api-keys');
    return html`
${keys.length === 0 ? html`<p class="empty">No API keys yet. Backends and scripts use API keys to call Gatehouse as this organization.</p>` : html`
<div class="table-wrap"><table><thead><tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Role</th><th scope="col">Owner</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col">Status</th><th scope="col"><span class="muted">Actions</span></th></tr></thead>
<tbody>${keys.map((k) => html`<tr><td>${k.name}</td><td><code>${k.displayPrefix}…</code></td><td><code>${k.role}</code></td><td>${k.ownerUserId ? html`<code>${k.ownerUserId}</code>` : 'organization'}</td>
<td>${formatTime(k.createdAt)}</td><td>${formatTime(k.lastUsedAt)}</td><td>${formatTime(k.expiresAt)}</td><td>${k.revokedAt ? `revoked ${formatTime(k.revokedAt)}` : 'active'}</td>
<td>${k.revokedAt ? '' : html`<form class="inline" method="post" action="${href}/revoke"><input type="hidden" name="keyId" value="${k.id}"><button type="submit" aria-label="Revoke key ${k.name}">Revoke</button></form>`}</td></tr>`)}</tbody></table></div>`}
<h2>Create an API key</h2>
<form method="post" action="${href}/create">
<label for="key-name">Name</label><input id="key-name" name="name" required maxlength="200" placeholder="billing backend">
<label for="key-role">Role</label><select id="key-role" name="role">${roles.map((r) => html`<option value="${r.slug}" ${r.slug === 'member' ? 'selected' : ''}>${r.name} (${r.slug})</option>`)}</select>
<label for="key-ownership">Owner</label><select id="key-ownership" name="ownership"><option value="organization">The organization (survives people leaving)</option><option value="personal">Me (dies with my membership)</option></select>
<label for="key-expiry">Expires</label><select id="key-expiry" name="expiresInDays"><option value="">Never</option><option value="7">In 7 days</option><option value="30">In 30 days</option><option value="90" selected>In 90 days</option><option value="365">In a year</option></select>
<p><button type="submit">Create key</button></p></form>`;
  },
  actions: {
    create: {
      permission: 'api_keys:manage',
      async run({ store, orgId, auth }, form) {
        if (orgId !== auth.organizationId) throw new AppError('AUTH_FORBIDDEN', 'API keys can only be created in your own organization');
        const parsed = createForm.safeParse(form);
        if (!parsed.success) throw new AppError('REQUEST_INVALID', parsed.error.issues[0]!.message);
        const days = parsed.data.expiresInDays ? Number(parsed.data.expiresInDays) : null;
        const { apiKey, secret } = await inTenant(store.db, orgId, (tx) =>
          createApiKey(tx, { creator: auth, name: parsed.data.name, role: parsed.data.role, ownership: parsed.data.ownership, expiresAt: days ? new Date(Date.now() + days * 86_400_000) : null }),
        );
        return { notice: `API key ${apiKey.name} created.`, label: apiKey.name, secret };
      },
    },
    revoke: {
      permission: 'api_keys:manage',
      async run({ store, orgId, auth }, form) {
        const keyId = z.string().regex(/^key_[0-9A-Za-z]{8,40}$/).safeParse(form.keyId);
        if (!keyId.success) throw new AppError('REQUEST_INVALID', 'Unknown API key.');
        const done = await inTenant(store.db, orgId, (tx) => revokeApiKey(tx, { organizationId: orgId, apiKeyId: keyId.data, actor: actorOf(auth) }));
        if (!done) throw new AppError('RESOURCE_NOT_FOUND', 'That API key is not active in this organization.');
        return 'API key revoked. It stops working at once.';
      },
    },
  },
};
