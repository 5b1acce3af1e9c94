// The sealed box: round trip, tampering and moved ciphertext refused, purposes kept apart, rotation,
// and blobs sealed by the code before the box (token vault rows, sign-in cookies) still opening.
import assert from 'node:assert/strict';
import { createDecipheriv, hkdfSync } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createSealedBox, type SealedBoxPurpose } from './sealed-box.ts';

const OLD = 'old-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const NEW = 'new-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

// Sealed under FIXTURE_SECRET by the token vault and the sign-in sealer as they were before the box.
const FIXTURE_SECRET = 'fixture-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const OLD_VAULT_ROW =
  't3HLrPzRbfvz.DxDLynp-5mx2D1Ij.ICO5mqaXa-4PK9L1uh3O03GFTc5eBEwVdmJ-WzD2Fu6dVUA._UBCU5gAzwW7LlHdDgOoGQ';
const OLD_LOGIN_COOKIE =
  'v1.fQ_9AxcQwTfMkAqS.tjXAI9vR8vSMg7JS_2cZRxYgl9Ttp2wB-gNYEakdFtWTR0x4295FmAMIEfQSlvw_8B2TSkki8SDxCjycQkwL-' +
  '9KrRc6baHo6cSicvQtUSJgpmSdn.v4KjpmHeBeGPFig7DF-8sA';

describe('sealed box', () => {
  it('round-trips, and refuses tampered ciphertext and ciphertext moved to another binding', () => {
    const box = createSealedBox('token-vault', [NEW]);
    const sealed = box.seal('refresh-token-value', 'ses_A:refresh');
    assert.ok(sealed.startsWith(`${box.keyId}.`));
    assert.ok(!sealed.includes('refresh-token-value'));
    assert.equal(box.open(sealed, 'ses_A:refresh'), 'refresh-token-value');
    assert.throws(() => box.open(sealed, 'ses_B:refresh'));
    assert.throws(() => box.open(sealed, 'ses_A:access'));
    const parts = sealed.split('.');
    const body = Buffer.from(parts[2]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[2] = body.toString('base64url');
    assert.throws(() => box.open(parts.join('.'), 'ses_A:refresh'));
    assert.throws(() => box.open(`${sealed}.extra`, 'ses_A:refresh'), /malformed/);
    const shortTag = sealed.slice(0, sealed.lastIndexOf('.') + 7);
    assert.throws(() => box.open(shortTag, 'ses_A:refresh'));
  });

  it('keeps purposes apart: a sign-in blob never opens as a vault blob, nor the reverse', () => {
    const vault = createSealedBox('token-vault', [NEW]);
    const signIn = createSealedBox('sign-in-state', [NEW]);
    assert.notEqual(vault.keyId, signIn.keyId);
    assert.throws(() => vault.open(signIn.seal('x', 'login'), 'login'));
    assert.throws(() => signIn.open(vault.seal('x', 'login'), 'login'));
    assert.throws(() => vault.open(OLD_LOGIN_COOKIE.replace('v1.', `${vault.keyId}.`), 'login'));
  });

  it('opens under a previous secret after rotation and seals under the current one', () => {
    const before = createSealedBox('token-vault', [OLD]);
    const sealed = before.seal('token', 'ses_A:access');
    const rotated = createSealedBox('token-vault', [NEW, OLD]);
    assert.equal(rotated.open(sealed, 'ses_A:access'), 'token');
    assert.notEqual(rotated.keyId, before.keyId);
    assert.ok(rotated.seal('token', 'ses_A:access').startsWith(`${rotated.keyId}.`));
    assert.throws(() => createSealedBox('token-vault', [NEW]).open(sealed, 'ses_A:access'), /unknown key/);
    assert.throws(() => createSealedBox('token-vault', ['short']), TypeError);
    assert.throws(() => createSealedBox('token-vault', []), TypeError);
  });

  it('opens what the code before it sealed: vault rows and in-flight sign-in cookies, also after rotation', () => {
    for (const secrets of [[FIXTURE_SECRET], [NEW, FIXTURE_SECRET]]) {
      const vault = createSealedBox('token-vault', secrets);
      assert.equal(vault.open(OLD_VAULT_ROW, 'ses_fixture:refresh'), 'refresh-token-sealed-before-upgrade');
      const signIn = createSealedBox('sign-in-state', secrets);
      const opened = JSON.parse(signIn.open(OLD_LOGIN_COOKIE, 'login')) as { exp: number; value: unknown };
      assert.deepEqual(opened.value, { state: 'st', codeVerifier: 'cv', returnTo: '/after' });
      assert.throws(() => signIn.open(OLD_LOGIN_COOKIE, 'pending'));
      assert.throws(() => vault.open(OLD_LOGIN_COOKIE, 'login'));
    }
    assert.equal(createSealedBox('token-vault', [FIXTURE_SECRET]).keyId, OLD_VAULT_ROW.split('.')[0]);
    assert.throws(() => createSealedBox('sign-in-state', [NEW]).open(OLD_LOGIN_COOKIE, 'login'));
  });

  it('seals sign-in cookies the previous release opens, so a sign-in may finish on either during an upgrade', () => {
    // The previous release's reader, as it was: a `v1` label, its HKDF key, the purpose as AAD.
    const previousReleaseOpens = (sealed: string, purpose: string): string => {
      const [version, iv, body, tag] = sealed.split('.');
      assert.equal(version, 'v1');
      const key = Buffer.from(hkdfSync('sha256', FIXTURE_SECRET, 'gatehouse', 'gatehouse sign-in state v1', 32));
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv!, 'base64url'));
      decipher.setAAD(Buffer.from(purpose));
      decipher.setAuthTag(Buffer.from(tag!, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body!, 'base64url')), decipher.final()]).toString('utf8');
    };
    const sealed = createSealedBox('sign-in-state', [FIXTURE_SECRET, OLD]).seal('{"state":"s"}', 'login');
    assert.equal(previousReleaseOpens(sealed, 'login'), '{"state":"s"}');
    assert.throws(() => previousReleaseOpens(sealed, 'pending'));
  });

  it('after any sequence of rotations, a blob opens exactly while its secret is still given', () => {
    const secret = fc.integer({ min: 0, max: 5 }).map((n) => `secret-${n}-`.padEnd(40, 'x'));
    const purpose = fc.constantFrom<SealedBoxPurpose>('token-vault', 'sign-in-state');
    const step = fc.record({ rotateTo: fc.option(secret), purpose, binding: fc.constantFrom('a', 'b') });
    fc.assert(
      fc.property(secret, fc.array(step, { maxLength: 12 }), (first, steps) => {
        let secrets = [first];
        const blobs: Array<{ sealed: string; purpose: SealedBoxPurpose; binding: string; secret: string; n: number }> =
          [];
        steps.forEach((s, n) => {
          if (s.rotateTo !== null) secrets = [s.rotateTo, ...secrets.filter((x) => x !== s.rotateTo)].slice(0, 3);
          const box = createSealedBox(s.purpose, secrets);
          blobs.push({
            sealed: box.seal(`plain-${n}`, s.binding),
            purpose: s.purpose,
            binding: s.binding,
            secret: secrets[0]!,
            n,
          });
          for (const blob of blobs) {
            for (const p of ['token-vault', 'sign-in-state'] as const) {
              const box = createSealedBox(p, secrets);
              const shouldOpen = p === blob.purpose && secrets.includes(blob.secret);
              let opened: string | undefined;
              try {
                opened = box.open(blob.sealed, blob.binding);
              } catch {}
              assert.equal(opened, shouldOpen ? `plain-${blob.n}` : undefined);
            }
          }
        });
      }),
      { seed: Number(process.env.PROPERTY_SEED ?? 20261130), numRuns: Number(process.env.PROPERTY_RUNS ?? 50) },
    );
  });
});
