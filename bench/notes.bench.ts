// The sample notes app (examples/notes, started by its one command with `gatehouse dev`): how long
// from Gatehouse confirming a session's revocation (the DELETE answering 204) until the app refuses
// that session's next page, measured while the app holds the session's answer in its cache — so it
// is the revocation stream that refuses, not an expiry. Beside it, the baseline of the same run: one
// page load of the app with a cached answer (what each poll costs at least).
// A few revocations only (each needs a fresh sign-in through the hosted pages): BENCH_NOTES_REVOCATIONS, default 5.
import { devPasswordSignIn } from '../examples/notes/dev-sign-in.ts';
import { DEMO_ADMIN } from '../examples/notes/app-key.ts';
import { startNotesApp } from '../test/support/notes-app.ts';
import { row } from './support.ts';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function notesBench(): Promise<string[]> {
  const rounds = Math.max(1, Number(process.env.BENCH_NOTES_REVOCATIONS ?? 5));
  const out = [`notes: the sample app (examples/notes) behind \`gatehouse dev\`, ${rounds} revocations`];
  const app = await startNotesApp();
  try {
    const page = (cookie: string) => fetch(`${app.url}/notes`, { headers: { cookie: `gatehouse_session=${cookie}` } });
    const admin = await devPasswordSignIn(app.url, DEMO_ADMIN.email, DEMO_ADMIN.password);
    const loads: number[] = [];
    const delays: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const victim = await devPasswordSignIn(app.url, DEMO_ADMIN.email, DEMO_ADMIN.password);
      const me = (await (
        await fetch(`${app.url}/api/v1/me`, { headers: { cookie: `gatehouse_session=${victim}` } })
      ).json()) as {
        organizationId: string;
        sessionId: string;
      };
      if ((await page(victim)).status !== 200) throw new Error('the app did not let the fresh session in');
      for (let j = 0; j < 20; j++) {
        const started = performance.now();
        await (await page(victim)).arrayBuffer();
        loads.push(performance.now() - started);
      }
      const revoked = await fetch(`${app.url}/api/v1/organizations/${me.organizationId}/sessions/${me.sessionId}`, {
        method: 'DELETE',
        headers: { cookie: `gatehouse_session=${admin}`, origin: app.url },
      });
      if (revoked.status !== 204) throw new Error(`Gatehouse did not revoke the session (HTTP ${revoked.status})`);
      const revokedAt = performance.now();
      while ((await page(victim)).status === 200) {
        if (performance.now() - revokedAt > 10_000)
          throw new Error('the app still let a revoked session in after 10 s');
      }
      delays.push(performance.now() - revokedAt);
    }
    out.push(row('a cached page load of the app (median)', median(loads), 'ms'));
    out.push(row(`revocation to refusal in the app (median of ${rounds})`, median(delays), 'ms', median(loads)));
    out.push(`  (every delay: ${delays.map((d) => d.toFixed(0)).join(', ')} ms)`);
    return out;
  } finally {
    await app.stop();
  }
}
