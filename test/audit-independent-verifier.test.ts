// A second verifier of audit exports, written from README "Verifying an export" alone with
// node:crypto only (nothing from src/), as a tenant would. It must accept a real export fetched
// from the API and reject every forged one. The harness below uses Gatehouse to make the export.
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { appendAuditEvent } from '../src/audit/audit-log.ts';
import { createAuditKeyRing } from '../src/audit/checkpoint.ts';
import { ALL_PERMISSIONS } from '../src/core/permissions.ts';
import { createHttpApp } from '../src/http/app.ts';
import { createLogger } from '../src/logger.ts';
import type { Store } from '../src/store/store.ts';
import { inTenant } from '../src/store/tenant.ts';
import { createOrg, createUser } from './support/fixtures.ts';
import { openPgliteTestStore } from './support/stores.ts';

// ---------------------------------------------------------------------------------------------
// The independent verifier (README steps 1-8).
type Jwk = { kty: string; crv: string; x: string; kid?: string };
type Verdict = { ok: true; size: number; root: string } | { ok: false; why: string };
type Kept = {
  organizationId: string;
  size: number;
  rootHash: string;
  issuedAt: string;
  keyId: string;
  signature: string;
};

const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha256(Buffer.from([1]), mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

function signatureOk(c: Kept, jwks: { keys: Jwk[] }): boolean {
  const jwk = jwks.keys.find((k) => {
    const kid = createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${k.x}"}`).digest('base64url');
    return k.kty === 'OKP' && k.crv === 'Ed25519' && kid === c.keyId;
  });
  if (!jwk) return false;
  const message = Buffer.from(
    `gatehouse-audit-checkpoint/v1\n${c.organizationId}\n${c.size}\n${c.rootHash}\n${c.issuedAt}\n`,
    'utf8',
  );
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' });
  return verify(null, message, key, Buffer.from(c.signature, 'base64url'));
}

function independentVerify(text: string, jwks: { keys: Jwk[] }, kept?: Kept): Verdict {
  const lines = text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  if (lines.length === 0) return { ok: false, why: 'empty' };
  const closing = lines.at(-1)! as unknown as Kept & { kind: string };
  if (closing.kind !== 'checkpoint') return { ok: false, why: 'no closing checkpoint' };
  const events = lines.slice(0, -1);
  const org = closing.organizationId;
  if (lines.some((l) => l.organizationId !== org)) return { ok: false, why: 'mixed organizations' };
  const leaves: Buffer[] = [];
  for (const [i, line] of events.entries()) {
    if (line.kind !== 'event' || typeof line.entry !== 'string')
      return { ok: false, why: `line ${i + 1} is not an event` };
    const entry = JSON.parse(line.entry) as { seq?: unknown; organizationId?: unknown };
    if (line.seq !== i + 1 || entry.seq !== i + 1 || entry.organizationId !== org)
      return { ok: false, why: `seq ${i + 1}` };
    leaves.push(sha256(Buffer.from([0]), Buffer.from(line.entry, 'utf8')));
  }
  const root = mth(leaves).toString('hex');
  if (closing.size !== events.length || closing.rootHash !== root)
    return { ok: false, why: 'closing checkpoint does not cover the file' };
  if (!signatureOk(closing, jwks)) return { ok: false, why: 'closing checkpoint signature' };
  if (kept) {
    if (!signatureOk(kept, jwks)) return { ok: false, why: 'kept checkpoint signature' };
    if (kept.organizationId !== org || kept.size > events.length)
      return { ok: false, why: 'kept checkpoint not a prefix' };
    if (mth(leaves.slice(0, kept.size)).toString('hex') !== kept.rootHash)
      return { ok: false, why: 'kept checkpoint not a prefix' };
  }
  return { ok: true, size: events.length, root };
}
// ---------------------------------------------------------------------------------------------

describe('an independent verifier written from the README', () => {
  let store: Store;
  let app: ReturnType<typeof createHttpApp>;
  let org: string;
  let other: string;
  let jwks: { keys: Jwk[] };
  const get = async (path: string) => app.request(path, { headers: { 'x-org': path.includes(other) ? other : org } });
  const exportOf = async (o: string) => (await get(`/api/v1/organizations/${o}/audit-events/export`)).text();

  before(async () => {
    store = await openPgliteTestStore();
    org = await createOrg(store.db, 'Tenant');
    other = await createOrg(store.db, 'Other');
    const user = await createUser(store.db, 'ada@tenant.test');
    for (const o of [org, other]) {
      for (let i = 1; i <= 7; i++) {
        await inTenant(store.db, o, (tx) =>
          appendAuditEvent(tx, {
            organizationId: o,
            type: 'member.role_changed',
            actor: { type: 'user', id: user },
            target: { type: 'user', id: `user_t${i}` },
            data: { to: i % 2 ? 'admin' : 'member', note: 'ünïcødé ✓' },
          }),
        );
      }
    }
    app = createHttpApp({
      store,
      logger: createLogger('silent'),
      publicUrl: 'http://gatehouse.test',
      auditKeys: createAuditKeyRing([], ['the-independent-verifier-secret-32-chars+']),
      authenticate: async (c) => ({
        principal: { type: 'user', userId: user },
        organizationId: c.req.header('x-org')!,
        role: 'admin',
        permissions: ALL_PERMISSIONS,
        authMethod: 'session',
        isSuperAdmin: false,
      }),
    });
    jwks = await (await app.request('/.well-known/gatehouse/audit-keys.json')).json();
  });
  after(() => store.close());

  it('accepts a real export and a checkpoint kept from before it', async () => {
    const kept = (await (await get(`/api/v1/organizations/${org}/audit-events/checkpoints/latest`)).json()) as Kept;
    await inTenant(store.db, org, (tx) =>
      appendAuditEvent(tx, { organizationId: org, type: 'member.added', actor: { type: 'system', id: null } }),
    );
    const verdict = independentVerify(await exportOf(org), jwks, kept);
    assert.deepEqual(verdict.ok && verdict.size, kept.size + 1);
  });

  it('rejects every forged export', async () => {
    const real = await exportOf(org);
    const lines = real.trimEnd().split('\n');
    const kept = JSON.parse(lines.at(-1)!) as Kept;
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const attackerX = publicKey.export({ format: 'jwk' }).x!;
    const resign = (events: string[], closing: Kept, withKey: 'attacker' | 'keep') => {
      const leaves = events.map((l) =>
        sha256(Buffer.from([0]), Buffer.from((JSON.parse(l) as { entry: string }).entry, 'utf8')),
      );
      const head = { ...closing, size: events.length, rootHash: mth(leaves).toString('hex') };
      if (withKey === 'attacker') {
        head.keyId = createHash('sha256')
          .update(`{"crv":"Ed25519","kty":"OKP","x":"${attackerX}"}`)
          .digest('base64url');
        head.signature = sign(
          null,
          Buffer.from(
            `gatehouse-audit-checkpoint/v1\n${head.organizationId}\n${head.size}\n${head.rootHash}\n${head.issuedAt}\n`,
          ),
          privateKey,
        ).toString('base64url');
      }
      return [...events, JSON.stringify({ kind: 'checkpoint', ...head })].join('\n');
    };
    const events = lines.slice(0, -1);
    const renumbered = (ls: string[]) =>
      ls.map((l, i) => {
        const line = JSON.parse(l) as { entry: string };
        return JSON.stringify({
          ...line,
          seq: i + 1,
          entry: JSON.stringify({ ...JSON.parse(line.entry), seq: i + 1 }),
        });
      });
    const actorRewritten = events.map((l) => {
      const line = JSON.parse(l) as { entry: string };
      return JSON.stringify({
        ...line,
        entry: JSON.stringify({ ...JSON.parse(line.entry), actor: { type: 'user', id: 'user_evil' } }),
      });
    });
    const otherExport = await exportOf(other);
    const forgeries: [string, string, Kept?][] = [
      ['empty', ''],
      ['closing checkpoint dropped', events.join('\n')],
      ['truncated, checkpoint kept', [...events.slice(0, -2), lines.at(-1)!].join('\n')],
      ['truncated and re-signed by another key', resign(events.slice(0, -2), kept, 'attacker')],
      ['filtered and re-chained', resign(renumbered(events.filter((_, i) => i !== 1)), kept, 'keep')],
      ['actors rewritten, root recomputed', resign(actorRewritten, kept, 'keep')],
      ['reordered', [events[1], events[0], ...events.slice(2), lines.at(-1)].join('\n')],
      [
        'reordered and renumbered',
        [...renumbered([events[1]!, events[0]!, ...events.slice(2)]), lines.at(-1)].join('\n'),
      ],
      ['a line dropped', [...events.filter((_, i) => i !== 3), lines.at(-1)].join('\n')],
      ['another organization relabelled', otherExport.split(other).join(org)],
      ["another organization's genuine export against the kept checkpoint", otherExport, kept],
      ['re-signed by another key', resign(events, kept, 'attacker')],
    ];
    const accepted = forgeries.filter(([, text, k]) => independentVerify(text, jwks, k).ok).map(([name]) => name);
    console.log(`independent verifier: forged ${forgeries.length} accepted ${accepted.length}`);
    assert.deepEqual(accepted, []);
    assert.equal(independentVerify(real, jwks).ok, true, 'the untouched export still verifies');
  });
});
