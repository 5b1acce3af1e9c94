// magic_auth.created sends the sign-in code by email: over SMTP (a real smtp-server here) when
// SMTP_URL is set, into the dev outbox folder when not; a duplicated delivery mails once, and the
// code is never stored in the database (it is fetched from the provider at send time).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { parseConfig } from '../../src/config.ts';
import { createDirectoryClient } from '../../src/directory/workos-client.ts';
import { createHttpApp } from '../../src/http/app.ts';
import { listen, type RunningServer } from '../../src/http/serve.ts';
import { createLogger } from '../../src/logger.ts';
import { createMailDelivery, type MailDelivery } from '../../src/mail/mail-delivery.ts';
import type { Store } from '../../src/store/store.ts';
import { asSystem } from '../../src/store/tenant.ts';
import { createWebhookIntake } from '../../src/webhooks/intake.ts';
import { openPgliteTestStore } from '../support/stores.ts';
import { api } from './scim-workload.ts';
import { recordingRevoker, SECRET } from './support.ts';

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('magic_auth.created mail', () => {
  let store: Store;
  let emu: RunningEmulator;
  let smtp: SMTPServer;
  let smtpPort: number;
  const received: Array<{ to: string; text: string }> = [];
  const servers: RunningServer[] = [];
  const mails: MailDelivery[] = [];
  const dirs: string[] = [];

  before(async () => {
    store = await openPgliteTestStore();
    emu = await startEmulator({ seed: false, webhooks: { chaos: { duplicateRate: 1 } } });
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        let text = '';
        stream.on('data', (d: Buffer) => (text += d.toString()));
        stream.on('end', () => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), text });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    smtpPort = (smtp.server.address() as AddressInfo).port;
  });
  after(async () => {
    for (const s of servers) await s.close(200);
    for (const m of mails) m.close();
    await emu?.close();
    await new Promise<void>((r) => smtp.close(() => r()));
    await store?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function gatehouseWith(env: Record<string, string>): Promise<string> {
    const dataDir = mkdtempSync(join(tmpdir(), 'gh-mail-'));
    dirs.push(dataDir);
    const config = parseConfig({
      WORKOS_API_KEY: emu.apiKey,
      WORKOS_CLIENT_ID: emu.clientId,
      WORKOS_API_HOSTNAME: '127.0.0.1',
      WORKOS_API_PORT: String(emu.port),
      WORKOS_API_HTTPS: 'false',
      WORKOS_WEBHOOK_SECRET: SECRET,
      GATEHOUSE_DATA_DIR: dataDir,
      ...env,
    });
    const client = createDirectoryClient({
      apiKey: emu.apiKey,
      clientId: emu.clientId,
      apiHostname: '127.0.0.1',
      port: emu.port,
      https: false,
    });
    const mail = createMailDelivery(config, { db: store.db, magicAuthCode: (id) => client.getMagicAuthCode(id) });
    mails.push(mail);
    const logger = createLogger('silent');
    const intake = createWebhookIntake(config, {
      db: store.db,
      logger,
      access: recordingRevoker(),
      deliverMail: mail.deliver,
    });
    const server = await listen(createHttpApp({ store, logger, webhookRoutes: intake.routes! }), {
      port: 0,
      host: '127.0.0.1',
    });
    servers.push(server);
    return dataDir;
  }

  it('mails the code once over SMTP although the event is delivered twice, and stores no code', async () => {
    await gatehouseWith({ SMTP_URL: `smtp://127.0.0.1:${smtpPort}` });
    await api(emu, 'POST', '/webhook_endpoints', {
      endpoint_url: `${servers[0]!.url}/webhooks/workos`,
      events: ['magic_auth.created'],
      secret: SECRET,
    });
    await api(emu, 'POST', '/user_management/magic_auth', { email: 'mia@mail.test' });
    await emu.webhooks.idle();
    await until(() => received.length >= 1);
    await new Promise((r) => setTimeout(r, 200)); // a second mail, if any, would arrive by now
    assert.equal(emu.webhooks.stats().delivered, 2, 'the chaos switch delivered the event twice');
    assert.equal(received.length, 1);
    const code = (emu.world.outbox.at(-1)!.data as { code: string }).code;
    assert.equal(received[0]!.to, 'mia@mail.test');
    assert.match(received[0]!.text, new RegExp(`Your sign-in code is ${code}`));
    const rows = await asSystem(store.db, 'test', (tx) => tx.selectFrom('mail_outbox').selectAll().execute());
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.status, 'sent');
    assert.ok(!JSON.stringify(rows).includes(code), 'the code is not in the database');
  });

  it('keeps mail in the dev outbox folder when SMTP_URL is unset', async () => {
    const dataDir = await gatehouseWith({});
    await api(emu, 'PATCH', `/webhook_endpoints/${emu.world.webhookEndpoints.keys().next().value}`, {
      endpoint_url: `${servers[1]!.url}/webhooks/workos`,
    });
    await api(emu, 'POST', '/user_management/magic_auth', { email: 'dev@mail.test' });
    await emu.webhooks.idle();
    const outbox = join(dataDir, 'outbox');
    await until(() => {
      try {
        return readdirSync(outbox).length > 0;
      } catch {
        return false;
      }
    });
    const files = readdirSync(outbox);
    assert.equal(files.length, 1);
    const code = (emu.world.outbox.at(-1)!.data as { code: string }).code;
    assert.match(readFileSync(join(outbox, files[0]!), 'utf8'), new RegExp(`Your sign-in code is ${code}`));
  });
});
