// The dev mailbox reads what Gatehouse's own dev mailer wrote (real .eml files, encoded as
// nodemailer encodes them) and says so when the emulator cannot be asked.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createMailer } from '../mail/mailer.ts';
import { devMailboxRoutes } from './dev-mailbox.ts';

test('shows the dev outbox newest first, filters by recipient, and names an unreachable emulator', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-mailbox-'));
  try {
    const mailer = createMailer({ from: 'gatehouse@localhost', devOutboxDir: dir });
    await mailer.send({
      to: 'grace@globex.test',
      subject: 'Your sign-in code',
      text: 'Your sign-in code is 123456. It expires in 10 minutes — ünïcode.',
    });
    await mailer.send({ to: 'sam@globex.test', subject: 'Another', text: 'x'.repeat(200) });
    const app = devMailboxRoutes({ outboxDir: dir, emulator: { url: 'http://127.0.0.1:9', apiKey: 'sk_test' } });
    const all = await (await app.request('/dev/mailbox')).text();
    assert.match(all, /2 messages/);
    assert.match(all, /the emulator did not answer/);
    const one = await (await app.request('/dev/mailbox?to=grace@globex.test')).text();
    assert.match(one, /1 message</);
    assert.match(one, /Your sign-in code is 123456\. It expires in 10 minutes — ünïcode\./);
    assert.doesNotMatch(one, /sam@globex\.test/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
