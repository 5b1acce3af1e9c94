// The app-side client (@gatehouse/client) against a running Gatehouse over HTTP, each figure beside
// a baseline measured in the same run:
//   warm cache   AuthContext resolutions/s through client.authenticate() beside a bare local
//                function call that returns the same context (the floor: what an app pays at least)
//   cold path    one introspection round trip per resolution beside the official WorkOS SDK's
//                loadSealedSession().authenticate() (unseal + JWT verify, what AuthKit apps run)
//   revocation   delay from revoking a session to the app refusing it (median of a few)
// BENCH_SCALE (default 1) scales the iteration counts for a quick smoke run.
import { startEmulator } from '../emulator/index.ts';
import { createGatehouseClient, withChecks } from '../packages/client/src/index.ts';
import { sdkFor, signInThroughEmulator } from '../test/support/emulator-sign-in.ts';
import { startAppWorld } from '../test/support/app-world.ts';
import { opsPerSecond, row } from './support.ts';

const COOKIE_PASSWORD = 'bench-cookie-password-at-least-32-characters';

export async function clientBench(): Promise<string[]> {
  const scale = Number(process.env.BENCH_SCALE ?? 1);
  const n = (count: number) => Math.max(10, Math.round(count * scale));
  const out = ['client: @gatehouse/client AuthContext resolutions (1 caller, Gatehouse on PGlite over HTTP)'];
  const [world, emulator] = await Promise.all([startAppWorld(), startEmulator()]);
  const client = createGatehouseClient({
    url: world.url,
    credential: world.appKeys.acme,
    logger: { warn() {}, info() {} },
  });
  try {
    await client.ready;
    const request = { headers: new Headers({ cookie: `gatehouse_session=${world.members.ada.cookie}` }) };
    const context = await client.authenticate(request);
    const local = async () => withChecks(context);
    const bare = await opsPerSecond(n(500_000), 1, local);
    out.push(row('bare local function returning the context', bare, 'ops/s'));
    const warm = await opsPerSecond(n(200_000), 1, () => client.authenticate(request));
    out.push(row('client.authenticate(), warm cache', warm, 'ops/s', bare));

    const grace = await signInThroughEmulator(emulator, 'grace@globex.test', 'Globex', { sealWith: COOKIE_PASSWORD });
    const workos = sdkFor(emulator);
    const sdk = await opsPerSecond(n(2000), 1, () =>
      workos.userManagement
        .loadSealedSession({ sessionData: grace.sealedSession!, cookiePassword: COOKIE_PASSWORD })
        .authenticate(),
    );
    out.push(row('SDK loadSealedSession().authenticate() (sealed cookie)', sdk, 'ops/s'));
    const uncached = createGatehouseClient({
      url: world.url,
      credential: world.appKeys.acme,
      revocationStream: false,
      fallbackTtlMs: 0,
      logger: { warn() {}, info() {} },
    });
    const cold = await opsPerSecond(n(1000), 1, () => uncached.authenticate(request));
    out.push(row('client.authenticate(), cold (one introspection round trip)', cold, 'ops/s', sdk));

    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const fresh = await world.signIn(world.members.ada);
      const freshRequest = { headers: new Headers({ cookie: `gatehouse_session=${fresh.cookie}` }) };
      await client.authenticate(freshRequest);
      const revokedAt = performance.now();
      await world.revokeSession(fresh);
      while (
        await client.authenticate(freshRequest).then(
          () => true,
          () => false,
        )
      )
        await new Promise((r) => setTimeout(r, 1));
      delays.push(performance.now() - revokedAt);
    }
    delays.sort((a, b) => a - b);
    out.push(row('revocation to refusal in the app (median of 5)', delays[2]!, 'ms'));
    return out;
  } finally {
    client.close();
    await emulator.close();
    await world.close();
  }
}
