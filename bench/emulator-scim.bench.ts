// The emulator's SCIM endpoint alone (no webhook endpoint, no Gatehouse): 10 concurrent clients
// push N users the way Okta does — a `userName eq` look-up, then the create — over HTTP. Client and
// emulator share this process, so the figure is a lower bound for the endpoint.
import { startEmulator } from '../emulator/index.ts';
import { setupScimDirectory } from '../test/webhooks/scim-workload.ts';
import { row } from './support.ts';

export async function emulatorScimRate(users: number): Promise<string[]> {
  const emu = await startEmulator({ seed: false });
  try {
    const dir = await setupScimDirectory(emu);
    let next = 0;
    let requests = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < users) {
          const i = next++;
          const userName = `e${i}@scim-rate.test`;
          const found = await dir.scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
          if (found.status !== 200 || found.body.totalResults !== 0) throw new Error('SCIM look-up failed');
          const r = await dir.scim.post('/Users', {
            schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
            userName,
            active: true,
            name: { givenName: 'E', familyName: String(i) },
            emails: [{ value: userName, primary: true }],
          });
          if (r.status !== 201) throw new Error(`SCIM create answered ${r.status}`);
          requests += 2;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return [
      `emulator SCIM endpoint alone (${users} users, look-up + create each, 10 concurrent clients)`,
      row('  SCIM requests per second', requests / seconds, 'req/s'),
    ];
  } finally {
    await emu.close();
  }
}
