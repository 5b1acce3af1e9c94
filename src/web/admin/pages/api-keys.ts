// API keys page: list (prefix, owner, role, created, last used, expiry), create (post, redirect,
// then the secret shown once on the page it lands on, never in a URL: see reveal.ts), revoke.
import { html } from 'hono/html';
import { z } from 'zod';
import { createApiKey, listApiKeys, revokeApiKey } from '../../../access/api-keys.ts';
import { enforceGrant, granterOf } from '../../../access/ceiling.ts';
import { actorOf } from '../../../audit/actor.ts';
import { AppError } from '../../../core/errors.ts';
import { listRoles } from '../../../organizations/roles.ts';
import { inTenant } from '../../../store/tenant.ts';
import { adminHref, formatTime } from '../layout.ts';
import { plural } from '../../chrome.ts';
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
  inlineErrors: ['create'],
  async render({ store, orgId, failed, permissions }) {
    const [keys, roles, owners] = await inTenant(store.db, orgId, async (tx) => {
      const keys = await listApiKeys(tx, orgId);
      const ids = [...new Set(keys.map((k) => k.ownerUserId).filter((id): id is string => Boolean(id)))];
      const owners = ids.length
        ? await tx.selectFrom('users').select(['id', 'email']).where('id', 'in', ids).execute()
        : [];
      return [keys, await listRoles(tx, orgId, permissions), new Map(owners.map((u) => [u.id, u.email]))] as const;
    });
    const href = adminHref(orgId, 'api-keys');
    const typed = failed?.action === 'create' ? failed.form : undefined;
    const option = (value: string, label: string, current: string) =>
      html`<option value="${value}" ${value === current ? 'selected' : ''}>${label}</option>`;
    return html`
<section aria-labelledby="keys-title"><h2 id="keys-title">Keys</h2>
${
  keys.length === 0
    ? html`<p class="empty">No API keys yet. Backends and scripts use API keys to call Gatehouse as this organization.</p>`
    : html`
<div class="table-wrap"><table><caption class="muted">${plural(keys.length, 'key')}</caption><thead><tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Role</th><th scope="col">Owner</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col">Status</th><th scope="col"><span class="muted">Actions</span></th></tr></thead>
<tbody>${keys.map(
        (
          k,
        ) => html`<tr><td>${k.name}</td><td class="nowrap"><code>${k.displayPrefix}…</code></td><td>${k.role}</td><td>${k.ownerUserId ? html`<code>${owners.get(k.ownerUserId) ?? k.ownerUserId}</code>` : 'the organization'}</td>
<td class="nowrap">${formatTime(k.createdAt)}</td><td class="nowrap">${formatTime(k.lastUsedAt)}</td><td class="nowrap">${formatTime(k.expiresAt)}</td><td>${k.revokedAt ? html`revoked <span class="nowrap">${formatTime(k.revokedAt)}</span>` : 'active'}</td>
<td>${k.revokedAt ? '' : html`<form class="inline" method="post" action="${href}/revoke"><input type="hidden" name="keyId" value="${k.id}"><button type="submit" class="danger" aria-label="Revoke key ${k.name}">Revoke</button></form>`}</td></tr>`,
      )}</tbody></table></div>`
}
</section>
<section aria-labelledby="create-key-title"><h2 id="create-key-title">Create an API key</h2>
<form method="post" action="${href}/create">
${typed ? html`<p class="error" role="alert">${failed!.message}</p>` : ''}
<label for="key-name">Name</label><input id="key-name" name="name" required maxlength="200" placeholder="billing backend" value="${typed?.name ?? ''}">
<label for="key-role">Role</label><select id="key-role" name="role">${roles.map((r) => option(r.slug, r.name, typed?.role ?? 'member'))}</select>
<label for="key-ownership">Owner</label><select id="key-ownership" name="ownership">${option('organization', 'The organization (survives people leaving)', typed?.ownership ?? 'organization')}${option('personal', 'Me (dies with my membership)', typed?.ownership ?? 'organization')}</select>
<label for="key-expiry">Expires</label><select id="key-expiry" name="expiresInDays">${[
      ['', 'Never'],
      ['7', 'In 7 days'],
      ['30', 'In 30 days'],
      ['90', 'In 90 days'],
      ['365', 'In a year'],
    ].map(([v, l]) => option(v!, l!, typed?.expiresInDays ?? '90'))}</select>
<p><button type="submit">Create key</button></p></form>
</section>`;
  },
  actions: {
    create: {
      permission: 'api_keys:manage',
      async run({ store, orgId, auth, permissions }, form) {
        if (orgId !== auth.organizationId)
          throw new AppError('AUTH_FORBIDDEN', 'API keys can only be created in your own organization');
        const parsed = createForm.safeParse(form);
        if (!parsed.success) throw new AppError('REQUEST_INVALID', parsed.error.issues[0]!.message);
        const days = parsed.data.expiresInDays ? Number(parsed.data.expiresInDays) : null;
        await enforceGrant(store.db, orgId, granterOf(auth, orgId, permissions), {
          path: 'api_key',
          roleSlug: parsed.data.role,
        });
        const { apiKey, secret } = await inTenant(store.db, orgId, (tx) =>
          createApiKey(tx, {
            creator: auth,
            name: parsed.data.name,
            role: parsed.data.role,
            ownership: parsed.data.ownership,
            expiresAt: days ? new Date(Date.now() + days * 86_400_000) : null,
            catalogue: permissions,
          }),
        );
        return { notice: `API key ${apiKey.name} created.`, label: apiKey.name, secret };
      },
    },
    revoke: {
      permission: 'api_keys:manage',
      async run({ store, orgId, auth }, form) {
        const keyId = z
          .string()
          .regex(/^key_[0-9A-Za-z]{8,40}$/)
          .safeParse(form.keyId);
        if (!keyId.success) throw new AppError('REQUEST_INVALID', 'Unknown API key.');
        const done = await inTenant(store.db, orgId, (tx) =>
          revokeApiKey(tx, { organizationId: orgId, apiKeyId: keyId.data, actor: actorOf(auth) }),
        );
        if (!done) throw new AppError('RESOURCE_NOT_FOUND', 'That API key is not active in this organization.');
        return 'API key revoked. It stops working at once.';
      },
    },
  },
};
