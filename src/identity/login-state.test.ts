import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSealer, safeReturnTo, sameState } from './login-state.ts';

const SECRET = 'login-state-test-secret-0123456789-abcdefgh';

test('sealed state opens only with the same secret, purpose and within its lifetime', () => {
  let now = 1_000_000;
  const sealer = createSealer([SECRET], () => now);
  const value = { state: 'state-marker-7f3a', codeVerifier: 'verifier-marker-9c1e', returnTo: '/x' };
  const sealed = sealer.seal('login', value, 60_000);
  // Encrypted, not just signed: neither the text nor any decoded part carries the values or names.
  const decoded = sealed
    .split('.')
    .map((part) => Buffer.from(part, 'base64url').toString('latin1'))
    .join('\n');
  for (const shown of [sealed, decoded]) assert.doesNotMatch(shown, /state-marker|verifier-marker|codeVerifier/);
  assert.deepEqual(sealer.open('login', sealed), { ok: true, value });
  assert.deepEqual(
    sealer.open('pending', sealed),
    { ok: false, reason: 'invalid' },
    'a login cookie is not a pending-selection cookie',
  );
  assert.deepEqual(createSealer([`${SECRET}-other`], () => now).open('login', sealed), {
    ok: false,
    reason: 'invalid',
  });
  const [v, iv, body, tag] = sealed.split('.');
  const flipped = `${v}.${iv}.${body!.slice(0, -2)}${body!.endsWith('A') ? 'B' : 'A'}${body!.slice(-1)}.${tag}`;
  assert.deepEqual(sealer.open('login', flipped), { ok: false, reason: 'invalid' });
  assert.deepEqual(sealer.open('login', undefined), { ok: false, reason: 'missing' });
  assert.deepEqual(sealer.open('login', 'garbage'), { ok: false, reason: 'invalid' });
  now += 60_000;
  assert.deepEqual(sealer.open('login', sealed), { ok: false, reason: 'expired' });
  assert.throws(() => createSealer(['short']), TypeError);
});

test('a sign-in in flight survives a secret rotation and the upgrade to key ids', () => {
  const now = 1_700_000_000_000;
  const OTHER = 'login-state-next-secret-0123456789-abcdefgh';
  const before = createSealer([SECRET], () => now);
  const sealed = before.seal('login', { state: 's', codeVerifier: 'v', returnTo: '/' }, 60_000);
  assert.equal(createSealer([OTHER, SECRET], () => now).open('login', sealed).ok, true);
  assert.equal(createSealer([OTHER], () => now).open('login', sealed).ok, false);
  // Sealed by the sealer before the shared sealed box (a `v1` cookie) under this secret, at `now`.
  const legacy =
    'v1.fQ_9AxcQwTfMkAqS.tjXAI9vR8vSMg7JS_2cZRxYgl9Ttp2wB-gNYEakdFtWTR0x4295FmAMIEfQSlvw_8B2TSkki8SDxCjycQkwL-' +
    '9KrRc6baHo6cSicvQtUSJgpmSdn.v4KjpmHeBeGPFig7DF-8sA';
  const fixtureSecret = 'fixture-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
  assert.deepEqual(createSealer([OTHER, fixtureSecret], () => now + 1000).open('login', legacy), {
    ok: true,
    value: { state: 'st', codeVerifier: 'cv', returnTo: '/after' },
  });
  assert.deepEqual(createSealer([fixtureSecret], () => now + 600_000).open('login', legacy), {
    ok: false,
    reason: 'expired',
  });
});

test('returnTo accepts same-origin paths only', () => {
  const ok: Array<[string | undefined, string]> = [
    [undefined, '/'],
    ['', '/'],
    ['/admin', '/admin'],
    ['/a/b?x=1#h', '/a/b?x=1#h'],
    ['/api/v1/me', '/api/v1/me'],
  ];
  for (const [input, expected] of ok) assert.equal(safeReturnTo(input), expected, String(input));
  const bad = [
    '//evil.example',
    '/\\evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    'evil.example',
    '/x\r\nSet-Cookie: a=b',
    '/\t/evil',
    `/${'a'.repeat(2100)}`,
    '\\\\evil',
  ];
  for (const input of bad) assert.equal(safeReturnTo(input), null, JSON.stringify(input));
});

test('state comparison is exact', () => {
  assert.equal(sameState('abc', 'abc'), true);
  assert.equal(sameState('abc', 'abd'), false);
  assert.equal(sameState('abc', 'abcd'), false);
});
