// Audit appends per second with the hash chain (head row locked, hash computed, head updated)
// beside the same inserts into the same table without the chain, measured in the same run.
import { randomBytes } from 'node:crypto';
import { appendAuditEvent } from '../src/audit/audit-log.ts';
import { newId } from '../src/core/ids.ts';
import { openStore, type Store, type StoreLocation } from '../src/store/store.ts';
import { asSystem, inTenant } from '../src/store/tenant.ts';
import { opsPerSecond, row } from './support.ts';

async function createOrg(store: Store): Promise<string> {
  const id = newId('org');
  await asSystem(store.db, 'bench', (tx) => tx.insertInto('organizations').values({ id, name: 'Bench' }).execute());
  return id;
}

async function measure(store: Store, total: number, concurrency: number, orgCount: number): Promise<{ chained: number; plain: number }> {
  const chainOrgs = await Promise.all(Array.from({ length: orgCount }, () => createOrg(store)));
  const plainOrgs = await Promise.all(Array.from({ length: orgCount }, () => createOrg(store)));
  const seqs = new Map<string, number>(plainOrgs.map((o) => [o, 0]));
  const data = { role: 'admin', previous: 'member', via: 'directory' };
  const chained = await opsPerSecond(total, concurrency, (i) => {
    const org = chainOrgs[i % orgCount]!;
    return inTenant(store.db, org, (tx) => appendAuditEvent(tx, { organizationId: org, type: 'member.role_changed', actor: { type: 'user', id: 'user_1' }, data }));
  });
  const plain = await opsPerSecond(total, concurrency, (i) => {
    const org = plainOrgs[i % orgCount]!;
    const seq = seqs.get(org)! + 1;
    seqs.set(org, seq);
    return inTenant(store.db, org, (tx) =>
      tx.insertInto('audit_events').values({
        organization_id: org, seq, id: newId('audit'), type: 'member.role_changed', actor_type: 'user', actor_id: 'user_1',
        target_type: null, target_id: null, data: JSON.stringify(data), created_at: new Date().toISOString(),
        prev_hash: randomBytes(32).toString('hex'), hash: randomBytes(32).toString('hex'),
      }).execute());
  });
  return { chained, plain };
}

export async function auditBench(postgresUrl: string | undefined): Promise<string[]> {
  const out = ['audit appends (one transaction each)'];
  const engines: [string, StoreLocation, number][] = [['PGlite', { engine: 'pglite' }, 1]];
  if (postgresUrl) engines.push(['PostgreSQL', { engine: 'postgres', url: postgresUrl, poolSize: 10 }, 10]);
  for (const [name, location, concurrency] of engines) {
    const store = await openStore(location);
    try {
      const total = name === 'PGlite' ? 1500 : 3000;
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
  if (!postgresUrl) out.push('  PostgreSQL: skipped (no BENCH_DATABASE_URL/TEST_DATABASE_URL and no local PostgreSQL to start)');
  return out;
}
