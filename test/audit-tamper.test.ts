// Every way of tampering with the audit log that we know of, against the log in the database and
// against an export, on every engine. Each attack must be refused by the database or named by
// verification with the expected kind of inconsistency. Prints `tried N undetected 0`.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { appendAuditEvent, readAuditLog } from '../src/audit/audit-log.ts';
import { createAuditKeyRing, type Checkpoint } from '../src/audit/checkpoint.ts';
import { issueCheckpoint } from '../src/audit/checkpoints.ts';
import { formatCheckpointLine, formatEventLine, readExportFile, verifyExport } from '../src/audit/export-file.ts';
import { leafHash, merkleRoot } from '../src/audit/merkle.ts';
import { systemReader, verifyStoredLog } from '../src/audit/verify.ts';
import type { Store } from '../src/store/store.ts';
import { inTenant } from '../src/store/tenant.ts';
import { createOrg } from './support/fixtures.ts';
import { testEngines } from './support/stores.ts';

const keys = createAuditKeyRing([], ['the-tamper-test-secret-of-32-characters-or-more']);
const attacker = createAuditKeyRing([randomBytes(32)], []);
const EVENTS = 8;

// Owner-side rewriting: after changing rows, recompute every leaf and the head as a careful
// attacker with full database access would.
const RECOMPUTE = `
CREATE OR REPLACE FUNCTION tamper_recompute(org text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE f bytea[] := '{}'; n bigint := 0; ev record;
BEGIN
  PERFORM set_config('gatehouse.rls_bypass', 'on', true);
  ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only;
  UPDATE audit_events SET leaf_hash = sha256('\\x00'::bytea || convert_to(entry, 'UTF8')) WHERE organization_id = org;
  ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only;
  FOR ev IN SELECT leaf_hash FROM audit_events WHERE organization_id = org ORDER BY seq LOOP
    f := gatehouse_merkle_push(f, n, ev.leaf_hash);
    n := n + 1;
  END LOOP;
  UPDATE audit_heads SET seq = n, frontier = f, root = gatehouse_merkle_root(f) WHERE organization_id = org;
END $$;`;

async function owner(store: Store, text: string, params: unknown[] = []): Promise<void> {
  await store.owner.exec('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
  try {
    await store.owner.query(text, params);
  } finally {
    await store.owner.exec('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
  }
}

async function seedLog(store: Store, name: string): Promise<{ org: string; checkpoint: Checkpoint }> {
  const org = await createOrg(store.db, name);
  for (let i = 1; i <= EVENTS; i++) {
    await inTenant(store.db, org, (tx) =>
      appendAuditEvent(tx, {
        organizationId: org,
        type: 'member.added',
        actor: { type: 'user', id: `user_${i}` },
        target: { type: 'user', id: `user_t${i}` },
        data: { i },
      }),
    );
  }
  return { org, checkpoint: await issueCheckpoint(store.db, keys.signer!, org) };
}

async function exportLines(store: Store, org: string): Promise<string[]> {
  const closing = await issueCheckpoint(store.db, keys.signer!, org);
  const lines: string[] = [];
  for await (const e of readAuditLog(systemReader(store.db), org, { upTo: closing.size }))
    lines.push(formatEventLine(org, e.seq, e.entry).trimEnd());
  lines.push(formatCheckpointLine(closing).trimEnd());
  return lines;
}

// Rebuilds the closing checkpoint over changed events: the root recomputed, the signature either
// kept (a forger without the key) or made with another key.
function reclose(lines: string[], signWith: 'keep' | 'attacker'): string[] {
  const events = lines.slice(0, -1);
  const closing = JSON.parse(lines.at(-1)!) as Checkpoint & { kind?: string };
  const root = merkleRoot(events.map((l) => leafHash((JSON.parse(l) as { entry: string }).entry))).toString('hex');
  const head = {
    organizationId: closing.organizationId,
    size: events.length,
    rootHash: root,
    issuedAt: closing.issuedAt,
  };
  const signed =
    signWith === 'keep' ? { ...head, keyId: closing.keyId, signature: closing.signature } : attacker.signer!.sign(head);
  return [...events, formatCheckpointLine(signed).trimEnd()];
}

function renumber(lines: string[]): string[] {
  return lines.map((l, i) => {
    const line = JSON.parse(l) as { kind: string; seq: number; entry: string };
    if (line.kind !== 'event') return l;
    const entry = JSON.parse(line.entry) as Record<string, unknown>;
    return JSON.stringify({ ...line, seq: i + 1, entry: JSON.stringify({ ...entry, seq: i + 1 }) });
  });
}

const rewriteEntry = (line: string, change: (e: Record<string, unknown>) => Record<string, unknown>) => {
  const parsed = JSON.parse(line) as { entry: string };
  return JSON.stringify({
    ...parsed,
    entry: JSON.stringify(change(JSON.parse(parsed.entry) as Record<string, unknown>)),
  });
};

type Outcome = { detected: true; how: string } | { detected: false; how: string };

for (const engine of testEngines()) {
  describe(`audit tampering on ${engine.name}`, () => {
    let store: Store;
    let dir: string;
    const results: [string, Outcome][] = [];
    before(async () => {
      store = await engine.open();
      await store.owner.exec(RECOMPUTE);
      dir = mkdtempSync(join(tmpdir(), 'gh-tamper-'));
    });
    after(async () => {
      const undetected = results.filter(([, o]) => !o.detected);
      console.log(`audit tampering on ${engine.name}: tried ${results.length} undetected ${undetected.length}`);
      rmSync(dir, { recursive: true, force: true });
      await store.close();
    });

    // Runs verification of the stored log; detected when it names the expected kind.
    async function verdictOf(org: string, expected: RegExp, kept: Checkpoint[] = []): Promise<Outcome> {
      const v = await verifyStoredLog(systemReader(store.db), org, keys.trusted, kept);
      if (v.valid) return { detected: false, how: 'verify said ok' };
      return expected.test(v.reason)
        ? { detected: true, how: v.reason }
        : { detected: false, how: `wrong reason: ${v.reason}` };
    }

    async function refused(attempt: Promise<unknown>): Promise<Outcome> {
      try {
        await attempt;
        return { detected: false, how: 'the database accepted it' };
      } catch (error) {
        const message = (error as Error).message;
        return /permission denied|refused/.test(message)
          ? { detected: true, how: `refused: ${message}` }
          : { detected: false, how: `failed oddly: ${message}` };
      }
    }

    async function fileVerdict(lines: string[] | string, expected: RegExp, kept: Checkpoint[] = []): Promise<Outcome> {
      const path = join(dir, `${randomBytes(4).toString('hex')}.jsonl`);
      writeFileSync(path, typeof lines === 'string' ? lines : `${lines.join('\n')}\n`);
      try {
        const v = await verifyExport(await readExportFile(path), keys.trusted, kept);
        if (v.valid) return { detected: false, how: 'verify said ok' };
        return expected.test(v.reason)
          ? { detected: true, how: v.reason }
          : { detected: false, how: `wrong reason: ${v.reason}` };
      } catch (error) {
        const message = (error as Error).message;
        return expected.test(message)
          ? { detected: true, how: message }
          : { detected: false, how: `wrong error: ${message}` };
      }
    }

    const attacks: [string, () => Promise<Outcome>][] = [
      [
        'db: newest rows deleted',
        async () => {
          const { org } = await seedLog(store, 'Trunc');
          await owner(store, 'DELETE FROM audit_events WHERE organization_id = $1 AND seq > 6', [org]);
          return verdictOf(org, /^head mismatch/);
        },
      ],
      [
        'db: newest rows deleted and the head recomputed',
        async () => {
          const { org } = await seedLog(store, 'TruncHead');
          await owner(store, 'DELETE FROM audit_events WHERE organization_id = $1 AND seq > 6', [org]);
          await store.owner.query('SELECT tamper_recompute($1)', [org]);
          return verdictOf(org, /^checkpoint mismatch/);
        },
      ],
      [
        'db: a row deleted in the middle, later rows renumbered, every hash recomputed',
        async () => {
          const { org } = await seedLog(store, 'Middle');
          await owner(store, 'DELETE FROM audit_events WHERE organization_id = $1 AND seq = 3', [org]);
          await owner(store, `UPDATE audit_events SET seq = -seq WHERE organization_id = $1 AND seq > 3`, [org]);
          await owner(
            store,
            `UPDATE audit_events SET seq = -seq - 1, entry = (entry::jsonb || jsonb_build_object('seq', -seq - 1))::text WHERE organization_id = $1 AND seq < 0`,
            [org],
          );
          await store.owner.query('SELECT tamper_recompute($1)', [org]);
          return verdictOf(org, /^checkpoint mismatch/);
        },
      ],
      [
        'db: a row inserted in the middle, every hash recomputed',
        async () => {
          const { org } = await seedLog(store, 'Insert');
          await owner(store, `UPDATE audit_events SET seq = -seq WHERE organization_id = $1 AND seq >= 3`, [org]);
          await owner(
            store,
            `UPDATE audit_events SET seq = -seq + 1, entry = (entry::jsonb || jsonb_build_object('seq', -seq + 1))::text WHERE organization_id = $1 AND seq < 0`,
            [org],
          );
          await owner(
            store,
            `INSERT INTO audit_events (organization_id, seq, id, type, actor_type, actor_id, data, created_at, entry, leaf_hash)
          SELECT $1, 3, 'audit_forged', 'member.removed', 'user', 'user_evil', '{}', now(),
                 gatehouse_audit_entry($1, 3, '{"id":"audit_forged","type":"member.removed","actor":{"type":"user","id":"user_evil"},"target":null,"data":{}}', now()), '\\x00'`,
            [org],
          );
          await store.owner.query('SELECT tamper_recompute($1)', [org]);
          return verdictOf(org, /^checkpoint mismatch/);
        },
      ],
      [
        'db: two rows swapped, every hash recomputed',
        async () => {
          const { org } = await seedLog(store, 'Swap');
          await owner(
            store,
            `UPDATE audit_events SET seq = CASE seq WHEN 2 THEN -5 ELSE -2 END WHERE organization_id = $1 AND seq IN (2, 5)`,
            [org],
          );
          await owner(
            store,
            `UPDATE audit_events SET seq = -seq, entry = (entry::jsonb || jsonb_build_object('seq', -seq))::text WHERE organization_id = $1 AND seq < 0`,
            [org],
          );
          await store.owner.query('SELECT tamper_recompute($1)', [org]);
          return verdictOf(org, /^checkpoint mismatch/);
        },
      ],
      [
        'db: an entry rewritten, its leaf hash and the head recomputed',
        async () => {
          const { org } = await seedLog(store, 'Rewrite');
          await owner(
            store,
            `UPDATE audit_events SET actor_id = 'user_evil', entry = replace(entry, '"user_4"', '"user_evil"') WHERE organization_id = $1 AND seq = 4`,
            [org],
          );
          await store.owner.query('SELECT tamper_recompute($1)', [org]);
          return verdictOf(org, /^checkpoint mismatch/);
        },
      ],
      [
        'db: an actor column rewritten (the entry left alone)',
        async () => {
          const { org } = await seedLog(store, 'Column');
          await owner(store, `UPDATE audit_events SET actor_id = 'user_evil' WHERE organization_id = $1 AND seq = 5`, [
            org,
          ]);
          return verdictOf(org, /^seq 5: the columns do not match/);
        },
      ],
      [
        'db: a forged row appended by the owner, head left alone',
        async () => {
          const { org } = await seedLog(store, 'OwnerAppend');
          await owner(
            store,
            `INSERT INTO audit_events (organization_id, seq, id, type, actor_type, actor_id, data, created_at, entry, leaf_hash)
          SELECT $1, ${EVENTS + 1}, 'audit_forged2', 'member.removed', 'user', 'user_evil', '{}', now(), e, sha256('\\x00'::bytea || convert_to(e, 'UTF8'))
          FROM gatehouse_audit_entry($1, ${EVENTS + 1}, '{"id":"audit_forged2","type":"member.removed","actor":{"type":"user","id":"user_evil"},"target":null,"data":{}}', now()) e`,
            [org],
          );
          return verdictOf(org, /^head mismatch/);
        },
      ],
      [
        'db: a forged row inserted with a correct hash as the app role',
        async () => {
          const { org } = await seedLog(store, 'AppInsert');
          return refused(
            inTenant(store.db, org, (tx) =>
              sql`INSERT INTO audit_events (organization_id, seq, id, type, actor_type, actor_id, data, created_at, entry, leaf_hash)
          SELECT ${org}, ${EVENTS + 1}, 'audit_forged3', 'member.removed', 'user', 'user_evil', '{}', now(), e, sha256('\\x00'::bytea || convert_to(e, 'UTF8'))
          FROM gatehouse_audit_entry(${org}, ${EVENTS + 1}, '{"id":"audit_forged3","type":"member.removed","actor":{"type":"user","id":"x"},"target":null,"data":{}}', now()) e`.execute(
                tx,
              ),
            ),
          );
        },
      ],
      [
        'db: the head moved by the app role',
        async () => {
          const { org } = await seedLog(store, 'AppHead');
          return refused(
            inTenant(store.db, org, (tx) =>
              sql`UPDATE audit_heads SET seq = 3 WHERE organization_id = ${org}`.execute(tx),
            ),
          );
        },
      ],
      [
        'db: a pending entry dropped by the app role',
        async () => {
          const { org } = await seedLog(store, 'AppPending');
          return refused(
            inTenant(store.db, org, (tx) => sql`DELETE FROM audit_pending WHERE organization_id = ${org}`.execute(tx)),
          );
        },
      ],
      [
        'db: an entry submitted into another organization by the app role',
        async () => {
          const { org } = await seedLog(store, 'AppCross');
          const other = await createOrg(store.db, 'Victim');
          return refused(
            inTenant(store.db, org, (tx) =>
              sql`SELECT gatehouse_audit_submit(${other}, '{"id":"audit_x","type":"member.added","actor":{"type":"system","id":null},"data":{}}'::jsonb)`.execute(
                tx,
              ),
            ),
          );
        },
      ],
      [
        'db: a checkpoint forged with another key',
        async () => {
          const { org, checkpoint } = await seedLog(store, 'ForgedCheckpoint');
          const forged = attacker.signer!.sign({
            organizationId: org,
            size: checkpoint.size,
            rootHash: checkpoint.rootHash,
            issuedAt: new Date(Date.now() + 60_000).toISOString(),
          });
          await store.owner.query(
            'INSERT INTO audit_checkpoints (organization_id, size, root_hash, issued_at, key_id, signature) VALUES ($1, $2, $3, $4, $5, $6)',
            [org, forged.size, forged.rootHash, forged.issuedAt, forged.keyId, forged.signature],
          );
          return verdictOf(org, /^checkpoint signature/);
        },
      ],
      [
        'db: an old checkpoint against a rewritten log whose stored checkpoints were deleted',
        async () => {
          const { org, checkpoint } = await seedLog(store, 'OldCheckpoint');
          await owner(
            store,
            `UPDATE audit_events SET actor_id = 'user_evil', entry = replace(entry, '"user_2"', '"user_evil"') WHERE organization_id = $1 AND seq = 2`,
            [org],
          );
          await store.owner.query('SELECT tamper_recompute($1)', [org]);
          await store.owner.query('DELETE FROM audit_checkpoints WHERE organization_id = $1', [org]);
          return verdictOf(org, /^checkpoint mismatch/, [checkpoint]);
        },
      ],
      [
        'file: truncated, newest events dropped, closing checkpoint kept',
        async () => {
          const lines = await exportLines(store, (await seedLog(store, 'FTrunc')).org);
          return fileVerdict([...lines.slice(0, -3), lines.at(-1)!], /^checkpoint mismatch/);
        },
      ],
      [
        'file: truncated, closing checkpoint dropped',
        async () => {
          const lines = await exportLines(store, (await seedLog(store, 'FTrunc2')).org);
          return fileVerdict(lines.slice(0, -3), /does not end with a signed checkpoint/);
        },
      ],
      [
        'file: truncated and re-signed with another key',
        async () => {
          const lines = await exportLines(store, (await seedLog(store, 'FTrunc3')).org);
          return fileVerdict(reclose([...lines.slice(0, -3), lines.at(-1)!], 'attacker'), /^checkpoint signature/);
        },
      ],
      [
        'file: filtered and re-chained (events dropped, renumbered, root recomputed)',
        async () => {
          const lines = await exportLines(store, (await seedLog(store, 'FFilter')).org);
          return fileVerdict(
            reclose(renumber(lines.filter((_, i) => i !== 2 && i !== 5)), 'keep'),
            /^checkpoint signature/,
          );
        },
      ],
      [
        'file: actors rewritten and the root recomputed',
        async () => {
          const lines = await exportLines(store, (await seedLog(store, 'FActor')).org);
          const changed = lines.map((l, i) =>
            i < lines.length - 1 ? rewriteEntry(l, (e) => ({ ...e, actor: { type: 'user', id: 'user_evil' } })) : l,
          );
          return fileVerdict(reclose(changed, 'keep'), /^checkpoint signature/);
        },
      ],
      [
        'file: an actor rewritten, checkpoint untouched',
        async () => {
          const lines = await exportLines(store, (await seedLog(store, 'FActor2')).org);
          lines[3] = rewriteEntry(lines[3]!, (e) => ({ ...e, actor: { type: 'user', id: 'user_evil' } }));
          return fileVerdict(lines, /^checkpoint mismatch/);
        },
      ],
      [
        "file: another organization's export relabelled",
        async () => {
          const a = await seedLog(store, 'FRelabelA');
          const b = await seedLog(store, 'FRelabelB');
          const lines = (await exportLines(store, b.org)).map((l) => l.split(b.org).join(a.org));
          return fileVerdict(lines, /^checkpoint signature/, [a.checkpoint]);
        },
      ],
      [
        "file: another organization's genuine export against this tenant's checkpoint",
        async () => {
          const a = await seedLog(store, 'FOtherA');
          const b = await seedLog(store, 'FOtherB');
          return fileVerdict(await exportLines(store, b.org), /^checkpoint mismatch/, [a.checkpoint]);
        },
      ],
      [
        'file: two lines reordered',
        async () => {
          const lines = await exportLines(store, (await seedLog(store, 'FOrder')).org);
          [lines[2], lines[3]] = [lines[3]!, lines[2]!];
          return fileVerdict(lines, /^seq 3/);
        },
      ],
      [
        'file: two lines reordered and renumbered',
        async () => {
          const lines = await exportLines(store, (await seedLog(store, 'FOrder2')).org);
          [lines[2], lines[3]] = [lines[3]!, lines[2]!];
          return fileVerdict(renumber(lines), /^checkpoint mismatch/);
        },
      ],
      [
        'file: a line dropped from the middle',
        async () => {
          const lines = await exportLines(store, (await seedLog(store, 'FDrop')).org);
          return fileVerdict(
            lines.filter((_, i) => i !== 4),
            /^seq 5/,
          );
        },
      ],
      ['file: empty', async () => fileVerdict('', /empty/)],
      [
        'file: an old checkpoint against a rewritten log, freshly and genuinely exported',
        async () => {
          const { org, checkpoint } = await seedLog(store, 'FOld');
          await owner(
            store,
            `UPDATE audit_events SET actor_id = 'user_evil', entry = replace(entry, '"user_2"', '"user_evil"') WHERE organization_id = $1 AND seq = 2`,
            [org],
          );
          await store.owner.query('SELECT tamper_recompute($1)', [org]);
          await store.owner.query('DELETE FROM audit_checkpoints WHERE organization_id = $1', [org]);
          return fileVerdict(await exportLines(store, org), /^checkpoint mismatch/, [checkpoint]);
        },
      ],
      [
        'file: the closing checkpoint forged with another key',
        async () => {
          const lines = await exportLines(store, (await seedLog(store, 'FForged')).org);
          return fileVerdict(reclose(lines, 'attacker'), /^checkpoint signature/);
        },
      ],
    ];

    it('an untouched log and its export verify', async () => {
      const { org, checkpoint } = await seedLog(store, 'Untouched');
      const stored = await verifyStoredLog(systemReader(store.db), org, keys.trusted, [checkpoint]);
      assert.deepEqual([stored.valid, stored.size], [true, EVENTS]);
      const file = await fileVerdict(await exportLines(store, org), /never/, [checkpoint]);
      assert.equal(file.how, 'verify said ok');
    });

    for (const [name, attack] of attacks) {
      it(`detects: ${name}`, async () => {
        const outcome = await attack();
        results.push([name, outcome]);
        assert.ok(outcome.detected, `${name}: ${outcome.how}`);
      });
    }
  });
}
