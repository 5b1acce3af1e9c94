// The one redirect check, as a property: whatever `returnTo` string is generated (dot segments,
// percent-encodings, backslashes, control characters, tabs/newlines, unicode), what it emits is
// either refused or a same-origin path that a browser resolves to PUBLIC_URL's origin — even
// when resolved a second time, as a proxy or the browser would.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { sameOriginPath, sameOriginUrl } from './redirect-target.ts';

const PUBLIC_URL = 'https://gatehouse.example';
const runs = Number(process.env.PROPERTY_RUNS ?? 2000);
const seed = Number(process.env.PROPERTY_SEED ?? 20261130);

const piece = fc.oneof(
  fc.constantFrom(
    '/',
    '//',
    '\\',
    '/\\',
    '.',
    '..',
    '/./',
    '/../',
    '%2e',
    '%2E%2e',
    '%2f',
    '%2F',
    '%5c',
    '%5C',
    '%00',
    '%0a',
    '%09',
    '%252f',
    '\t',
    '\n',
    '\r',
    '\u0000',
    '\u001f',
    '\u007f',
    '\u0085',
    '\u2028',
    '\u202e',
    '\ufeff',
    '\u3002',
    '\uff0f',
    '\uff3c',
    'evil.example',
    'evil.example:443',
    '@evil.example',
    'user:pass@',
    'http:',
    'https:',
    'javascript:',
    'data:',
    '?',
    '#',
    ';',
    ':',
    ' ',
    'admin',
    'api',
    '%40',
    'xn--e1a',
    'ⓔvil',
  ),
  fc.string({ maxLength: 4 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
);
const returnTo = fc.array(piece, { maxLength: 10 }).map((parts) => parts.join(''));

function assertSameOrigin(emitted: string): void {
  assert.ok(
    emitted.startsWith('/') && !emitted.startsWith('//') && !emitted.startsWith('/\\'),
    `emitted ${JSON.stringify(emitted)}`,
  );
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the check is that none are emitted
  assert.ok(!/[\u0000-\u0020\u007f-\u009f\\]/.test(emitted), `control or backslash in ${JSON.stringify(emitted)}`);
  for (const base of [PUBLIC_URL, 'http://other.invalid']) {
    const resolved = new URL(emitted, base);
    assert.equal(resolved.origin, new URL(base).origin, `${JSON.stringify(emitted)} leaves ${base}`);
    // Resolving what was resolved (a redirect followed twice) stays put.
    assert.equal(new URL(resolved.pathname + resolved.search + resolved.hash, base).origin, new URL(base).origin);
  }
}

describe('redirect target', () => {
  it(`every emitted target is a same-origin path (${runs} generated returnTo strings)`, () => {
    let accepted = 0;
    fc.assert(
      fc.property(returnTo, (value) => {
        const emitted = sameOriginPath(value, PUBLIC_URL);
        if (emitted === null) return;
        accepted++;
        assertSameOrigin(emitted);
        const absolute = sameOriginUrl(value, PUBLIC_URL);
        assert.equal(absolute, `${PUBLIC_URL}${emitted}`);
      }),
      { numRuns: runs, seed },
    );
    console.log(
      `redirect property: ${runs} generated returnTo strings, ${accepted} accepted as same-origin paths, 0 left the origin`,
    );
  });

  it('refuses the known protocol-relative tricks and keeps plain paths', () => {
    const hostile = [
      '/.//evil.example',
      '/a/..//evil.example',
      '/./\\evil.example',
      '/%2F%2Fevil.example',
      '/%5Cevil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      '//evil.example',
      '/\\evil.example',
      'https://evil.example',
      'javascript:alert(1)',
      '/..//evil.example',
      '/%2e%2e//evil.example',
      '/\u202e/evil',
      '/\u0000',
      'relative',
    ];
    let accepted = 0;
    for (const h of hostile) if (sameOriginPath(h, PUBLIC_URL) !== null) accepted++;
    console.log(`redirect table (function): tried ${hostile.length} accepted ${accepted}`);
    assert.equal(accepted, 0);
    assert.equal(sameOriginPath('/admin?x=1#top', PUBLIC_URL), '/admin?x=1#top');
    assert.equal(sameOriginPath('/a/../admin', PUBLIC_URL), '/admin');
    assert.equal(sameOriginPath(undefined, PUBLIC_URL), '/');
    assert.equal(sameOriginUrl('https://gatehouse.example/admin', PUBLIC_URL), 'https://gatehouse.example/admin');
    assert.equal(sameOriginUrl('https://evil.example/admin', PUBLIC_URL), null);
    assert.equal(sameOriginUrl('https://gatehouse.example//evil.example', PUBLIC_URL), null);
  });
});
