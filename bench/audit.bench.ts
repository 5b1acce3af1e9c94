// Audit appends per second through the Merkle log (submitted in the writer's transaction, then
// group-committed into the tree under the head lock) beside plain inserts of the same rows into a
// copy of the table without the log, measured in the same run; then the offline verifier's speed.
import { newId } from '../src/core/ids.ts';
import { appendAuditEvent } from '../src/audit/audit-log.ts';
import { createAuditKeyRing } from '../src/audit/checkpoint.ts';
import { MerkleFrontier, leafHash } from '../src/audit/merkle.ts';
import { verifyLog } from '../src/audit/verify-log.ts';
import { openStore, type Store, type StoreLocation } from '../src/store/store.ts';
import { asSystem, inTenant } from '../src/store/tenant.ts';
import { sql } from 'kysely';
import { opsPerSecond, row } from './support.ts';

async function createOrg(store: Store): Promise<string> {
  const id = newId('org');
  await asSystem(store.db, 'bench', (tx) => tx.insertInto('organizations').values({ id, name: 'Bench' }).execute());
  return id;
}

// The baseline: the same columns and indexes as audit_events, no log, no function, no head.
async function createPlainTable(store: Store): Promise<void> {
  await store.owner.exec(`
    CREATE TABLE IF NOT EXISTS bench_audit_plain (LIKE audit_events INCLUDING DEFAULTS INCLUDING INDEXES);
    GRANT SELECT, INSERT ON bench_audit_plain TO gatehouse_app;`);
}

async function measure(
  store: Store,
  total: number,
  concurrency: number,
  orgCount: number,
): Promise<{ chained: number; plain: number }> {
  const chainOrgs = await Promise.all(Array.from({ length: orgCount }, () => createOrg(store)));
  const plainOrgs = await Promise.all(Array.from({ length: orgCount }, () => createOrg(store)));
  const seqs = new Map<string, number>(plainOrgs.map((o) => [o, 0]));
  const data = { role: 'admin', previous: 'member', via: 'directory' };
  const chained = await opsPerSecond(total, concurrency, (i) => {
    const org = chainOrgs[i % orgCount]!;
    return inTenant(store.db, org, (tx) =>
      appendAuditEvent(tx, {
        organizationId: org,
        type: 'member.role_changed',
        actor: { type: 'user', id: 'user_1' },
        data,
      }),
    );
  });
  const plain = await opsPerSecond(total, concurrency, (i) => {
    const org = plainOrgs[i % orgCount]!;
    const seq = seqs.get(org)! + 1;
    seqs.set(org, seq);
    const id = newId('audit');
    const createdAt = new Date().toISOString();
    const entry = JSON.stringify({
      id,
      seq,
      data,
      type: 'member.role_changed',
      actor: { id: 'user_1', type: 'user' },
      target: null,
      createdAt,
      organizationId: org,
    });
    return inTenant(store.db, org, (tx) =>
      sql`INSERT INTO bench_audit_plain (organization_id, seq, id, type, actor_type, actor_id, data, created_at, entry, leaf_hash)
      VALUES (${org}, ${seq}, ${id}, 'member.role_changed', 'user', 'user_1', ${JSON.stringify(data)}::jsonb, ${createdAt}, ${entry}, ${leafHash(entry)})`.execute(
        tx,
      ),
    );
  });
  return { chained, plain };
}

/** Verifies `n` generated entries and a signed checkpoint of them, as `audit verify --file` does. */
async function verifySpeed(n: number): Promise<string[]> {
  const keys = createAuditKeyRing([], ['bench-secret-bench-secret-bench-secret-42']);
  const org = 'org_01BENCHBENCHBENCHBENCHBENCH';
  const entries = Array.from({ length: n }, (_, i) => ({
    seq: i + 1,
    entry: `{"id": "audit_${String(i).padStart(26, '0')}", "seq": ${i + 1}, "data": {"role": "admin", "previous": "member"}, "type": "member.role_changed", "actor": {"id": "user_01H8ZZZZZZZZZZZZZZZZZZZZZZ", "type": "user"}, "target": {"id": "om_01H8ZZZZZZZZZZZZZZZZZZZZZZ", "type": "membership"}, "createdAt": "2026-11-30T12:00:00.000Z", "organizationId": "${org}"}`,
  }));
  const frontier = new MerkleFrontier();
  for (const e of entries) frontier.push(leafHash(e.entry));
  const closing = keys.signer!.sign({
    organizationId: org,
    size: n,
    rootHash: frontier.root().toString('hex'),
    issuedAt: new Date().toISOString(),
  });
  const started = performance.now();
  const cpu = process.cpuUsage();
  const verdict = await verifyLog(entries, {
    organizationId: org,
    trusted: keys.trusted,
    checkpoints: [closing],
    head: { size: n, root: frontier.root() },
  });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  if (!verdict.valid) throw new Error(`bench log did not verify: ${verdict.reason}`);
  // CPU time beside wall time: on a shared machine the wall clock also counts other processes.
  return [
    `  verify ${n.toLocaleString('en')} events (leaf + tree + checkpoint)`.padEnd(61) +
      ` ${seconds.toFixed(2)} s, ${(n / seconds).toFixed(0)} events/s (cpu ${cpuSeconds.toFixed(2)} s, ${(n / cpuSeconds).toFixed(0)} events/s)`,
  ];
}

export async function auditBench(postgresUrl: string | undefined): Promise<string[]> {
  const out = ['audit appends (one transaction each; chained = submitted, then group-committed into the Merkle tree)'];
  const engines: [string, StoreLocation, number][] = [['PGlite', { engine: 'pglite' }, 1]];
  if (postgresUrl) engines.push(['PostgreSQL', { engine: 'postgres', url: postgresUrl, poolSize: 10 }, 10]);
  const scale = Number(process.env.AUDIT_BENCH_SCALE ?? 1);
  for (const [name, location, concurrency] of engines) {
    const store = await openStore(location);
    try {
      await createPlainTable(store);
      const total = Math.round((name === 'PGlite' ? 1500 : 3000) * scale);
      const one = await measure(store, total, concurrency, 1);
      out.push(row(`${name}: plain insert, 1 organization, ${concurrency} writers`, one.plain, 'ops/s'));
      out.push(row(`${name}: chained append, 1 organization, ${concurrency} writers`, one.chained, 'ops/s', one.plain));
      if (concurrency > 1) {
        const ten = await measure(store, total, concurrency, 10);
        out.push(row(`${name}: plain insert, 10 organizations`, ten.plain, 'ops/s'));
        out.push(row(`${name}: chained append, 10 organizations`, ten.chained, 'ops/s', ten.plain));
      }
    } finally {
      await store.close();
    }
  }
  if (!postgresUrl)
    out.push('  PostgreSQL: skipped (no BENCH_DATABASE_URL/TEST_DATABASE_URL and no local PostgreSQL to start)');
  out.push(...(await verifySpeed(Number(process.env.AUDIT_BENCH_VERIFY_EVENTS ?? 1_000_000))));
  return out;
}
