// Users, email verification, password reset and magic auth through the unmodified SDK, with
// every response checked against the OpenAPI spec by the harness.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NotFoundException,
  UnauthorizedException,
  UnprocessableEntityException,
  WorkOS,
  GenericServerException,
} from '@workos-inc/node';
import { openHarness, type Harness } from '../testing/harness.ts';

let h: Harness;
before(async () => {
  h = await openHarness();
});
after(() => h.close());

test('users: create, get, get by external id, list with filters and pagination, update, delete', async () => {
  const { workos } = h;
  const created = await workos.userManagement.createUser({
    email: 'Ada@Example.test',
    password: 'pw-ada-1',
    firstName: 'Ada',
    externalId: 'ext-ada',
    metadata: { team: 'core' },
  });
  assert.match(created.id, /^user_01/);
  assert.equal(created.email, 'ada@example.test');
  assert.equal(created.emailVerified, false);
  assert.deepEqual(created.metadata, { team: 'core' });
  assert.equal((await workos.userManagement.getUser(created.id)).firstName, 'Ada');
  assert.equal((await workos.userManagement.getUserByExternalId('ext-ada')).id, created.id);

  for (let i = 0; i < 4; i++) await workos.userManagement.createUser({ email: `u${i}@example.test` });
  const page1 = await workos.userManagement.listUsers({ limit: 2, order: 'asc' });
  assert.equal(page1.data.length, 2);
  assert.equal(page1.data[0]!.id, created.id);
  assert.ok(page1.listMetadata.after);
  const page2 = await workos.userManagement.listUsers({ limit: 2, order: 'asc', after: page1.listMetadata.after! });
  assert.equal(page2.data.length, 2);
  assert.ok(page2.data[0]!.id > page1.data[1]!.id);
  const back = await workos.userManagement.listUsers({ limit: 2, order: 'asc', before: page2.data[0]!.id });
  assert.deepEqual(
    back.data.map((u) => u.id),
    page1.data.map((u) => u.id),
  );
  const all = await (await workos.userManagement.listUsers()).autoPagination();
  assert.equal(all.length, 5);
  assert.ok(all[0]!.id > all[4]!.id, 'default order is newest first');
  const newest = await workos.userManagement.listUsers({ limit: 3 });
  const older = await workos.userManagement.listUsers({ limit: 3, after: newest.listMetadata.after! });
  assert.deepEqual(
    [...newest.data, ...older.data].map((u) => u.id),
    all.map((u) => u.id),
  );
  assert.equal(older.listMetadata.after, null);
  const byEmail = await workos.userManagement.listUsers({ email: 'ADA@example.test' });
  assert.deepEqual(
    byEmail.data.map((u) => u.id),
    [created.id],
  );

  assert.deepEqual(await workos.userManagement.getUserIdentities(created.id), [], 'no OAuth identities offline');
  const updated = await workos.userManagement.updateUser({
    userId: created.id,
    lastName: 'Lovelace',
    emailVerified: true,
  });
  assert.equal(updated.lastName, 'Lovelace');
  assert.equal(updated.emailVerified, true);

  await workos.userManagement.deleteUser(created.id);
  await assert.rejects(workos.userManagement.getUser(created.id), NotFoundException);
  const types = h.emulator.world.events.map((e) => e.event);
  assert.ok(types.includes('user.created') && types.includes('user.updated') && types.includes('user.deleted'));
  h.assertConformant();
});

test('errors: bad API key is 401, unknown id is 404, invalid body is 422 with errors[], duplicate email is 400', async () => {
  const bad = new WorkOS('sk_test_wrong', {
    apiHostname: '127.0.0.1',
    port: h.emulator.port,
    https: false,
    clientId: h.emulator.clientId,
  });
  await assert.rejects(bad.userManagement.listUsers(), UnauthorizedException);
  const noKey = await h.request('GET', '/user_management/users', { apiKey: null });
  assert.equal(noKey.status, 401);
  assert.deepEqual(noKey.body, { message: 'Unauthorized' });

  const missing = await h.request('GET', '/user_management/users/user_01NOPE');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.code, 'entity_not_found');
  await assert.rejects(h.workos.userManagement.getUser('user_01NOPE'), NotFoundException);

  await assert.rejects(h.workos.userManagement.createUser({ email: 'not-an-email' }), (error: unknown) => {
    assert.ok(error instanceof UnprocessableEntityException);
    assert.equal(error.code, 'invalid_request_parameters');
    return true;
  });
  const invalid = await h.request('POST', '/user_management/users', { body: { email: 42 } });
  assert.equal(invalid.status, 422);
  assert.equal(invalid.body.errors[0].field, 'email');

  await h.workos.userManagement.createUser({ email: 'dup@example.test' });
  await assert.rejects(h.workos.userManagement.createUser({ email: 'dup@example.test' }), (error: unknown) => {
    assert.ok(error instanceof GenericServerException || error instanceof Error);
    assert.equal((error as { status?: number }).status, 400);
    return true;
  });
  const imported = await h.request('POST', '/user_management/users', {
    body: { email: 'hash@example.test', password_hash: '$2b$10$abc', password_hash_type: 'bcrypt' },
  });
  assert.equal(imported.status, 400);
  assert.equal(imported.body.code, 'invalid_password_hash');
  const malformed = await h.request('POST', '/user_management/users', {
    body: '{"email":',
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(malformed.status, 422);
  assert.equal(malformed.body.errors[0].code, 'invalid_json');
  assert.match(malformed.headers.get('x-request-id') ?? '', /^req_01/);
  const badLimit = await h.request('GET', '/user_management/users?limit=1000');
  assert.equal(badLimit.status, 422);
  h.assertConformant();
});

test('email verification: send, read, confirm with the mailed code', async () => {
  const user = await h.workos.userManagement.createUser({ email: 'verify@example.test' });
  const sent = await h.workos.userManagement.sendVerificationEmail({ userId: user.id });
  assert.equal(sent.user.id, user.id);
  const mail = h.emulator.world.outbox.findLast(
    (m) => m.kind === 'email_verification' && m.to === 'verify@example.test',
  );
  assert.ok(mail);
  const record = await h.workos.userManagement.getEmailVerification(mail.data.email_verification_id!);
  assert.equal(record.code, mail.data.code);
  await assert.rejects(
    h.workos.userManagement.verifyEmail({ userId: user.id, code: mail.data.code === '000000' ? '111111' : '000000' }),
  );
  const verified = await h.workos.userManagement.verifyEmail({ userId: user.id, code: mail.data.code! });
  assert.equal(verified.user.emailVerified, true);
  h.assertConformant();
});

test('password reset: create mails a token; confirm sets the password; a used token is refused', async () => {
  await h.workos.userManagement.createUser({ email: 'reset@example.test', password: 'old-password' });
  const reset = await h.workos.userManagement.createPasswordReset({ email: 'reset@example.test' });
  assert.ok(reset.passwordResetToken);
  assert.equal((await h.workos.userManagement.getPasswordReset(reset.id)).email, 'reset@example.test');
  const mail = h.emulator.world.outbox.findLast((m) => m.kind === 'password_reset');
  assert.equal(mail?.data.token, reset.passwordResetToken);
  const { user } = await h.workos.userManagement.resetPassword({
    token: reset.passwordResetToken,
    newPassword: 'new-password',
  });
  assert.equal(user.email, 'reset@example.test');
  await assert.rejects(
    h.workos.userManagement.resetPassword({ token: reset.passwordResetToken, newPassword: 'again' }),
  );
  const signIn = await h.workos.userManagement.authenticateWithPassword({
    clientId: h.emulator.clientId,
    email: 'reset@example.test',
    password: 'new-password',
  });
  assert.equal(signIn.user.email, 'reset@example.test');
  h.assertConformant();
});

test('magic auth: create mails a code and announces magic_auth.created without the code', async () => {
  const magic = await h.workos.userManagement.createMagicAuth({ email: 'magic@example.test' });
  assert.match(magic.code, /^\d{6}$/);
  assert.equal((await h.workos.userManagement.getMagicAuth(magic.id)).userId, magic.userId);
  const event = h.emulator.world.events.findLast((e) => e.event === 'magic_auth.created');
  assert.equal(event?.data.email, 'magic@example.test');
  assert.equal('code' in (event?.data ?? {}), false);
  assert.equal(h.emulator.world.outbox.findLast((m) => m.kind === 'magic_auth')?.data.code, magic.code);
  h.assertConformant();
});

test('email change: a code mailed to the new address changes the email once; guesses are limited', async () => {
  const user = await h.workos.userManagement.createUser({ email: 'old@change.test' });
  await h.workos.userManagement.createUser({ email: 'taken@change.test' });
  const path = `/user_management/users/${user.id}/email_change`;
  assert.equal(
    (await h.request('POST', `${path}/send`, { body: { new_email: 'old@change.test' } })).body.code,
    'email_change_not_needed',
  );
  assert.equal(
    (await h.request('POST', `${path}/send`, { body: { new_email: 'taken@change.test' } })).body.code,
    'email_not_available',
  );
  const none = await h.request('POST', `${path}/confirm`, { body: { code: '000000' } });
  assert.equal(none.body.code, 'no_pending_email_change');
  const sent = await h.request('POST', `${path}/send`, { body: { new_email: 'New@Change.test' } });
  assert.equal(sent.status, 200);
  assert.equal(sent.body.new_email, 'new@change.test');
  const mail = await h.control('GET', '/outbox?to=new@change.test&kind=email_change');
  const code = mail.data[0].data.code as string;
  const wrong = code === '000000' ? '111111' : '000000';
  const bad = await h.request('POST', `${path}/confirm`, { body: { code: wrong } });
  assert.equal(bad.body.code, 'email_change_code_incorrect');
  const ok = await h.request('POST', `${path}/confirm`, { body: { code } });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.user.email, 'new@change.test');
  assert.equal((await h.workos.userManagement.getUser(user.id)).email, 'new@change.test');
  assert.equal(
    (await h.request('POST', `${path}/confirm`, { body: { code } })).body.code,
    'email_change_code_previously_used',
  );

  await h.request('POST', `${path}/send`, { body: { new_email: 'third@change.test' } });
  for (let i = 0; i < 5; i += 1) await h.request('POST', `${path}/confirm`, { body: { code: 'nope' } });
  const locked = await h.request('POST', `${path}/confirm`, { body: { code: 'nope' } });
  assert.equal(locked.status, 429);
  assert.equal(locked.body.code, 'email_change_too_many_attempts');
  h.assertConformant();
});

test('every event this suite made WorkOS announce matches the spec', async () => {
  assert.ok((await h.assertEventsConformant()) > 0);
});
