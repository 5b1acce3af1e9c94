// The cookie codec: what it writes, a browser sends back, and it reads, among other cookies.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { clearCookie, cookieFor, readCookie, serializeCookie } from './cookie.ts';

describe('cookie codec', () => {
  it('writes __Host-, Secure, HttpOnly, SameSite=Lax, Path=/ under https, and no prefix under http', () => {
    const https = cookieFor('gatehouse_login', 'https://id.example', 600);
    assert.equal(
      serializeCookie(https, 'v'),
      '__Host-gatehouse_login=v; Path=/; Max-Age=600; HttpOnly; SameSite=Lax; Secure',
    );
    assert.equal(clearCookie(https), '__Host-gatehouse_login=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure');
    const http = cookieFor('gatehouse_login', 'http://localhost:3000', 600);
    assert.equal(serializeCookie(http, 'v'), 'gatehouse_login=v; Path=/; Max-Age=600; HttpOnly; SameSite=Lax');
  });

  it('reads back what it wrote from any Cookie header holding it among other cookies', () => {
    const token = fc.stringMatching(/^[A-Za-z0-9_.-]{0,60}$/);
    const name = fc.stringMatching(/^[a-z_]{1,12}$/);
    fc.assert(
      fc.property(name, token, fc.array(fc.tuple(name, token), { maxLength: 5 }), (base, value, others) => {
        const cookie = cookieFor(base, 'https://id.example', 60);
        const sent = serializeCookie(cookie, value).split(';')[0]!;
        const rest = others.filter(([n]) => n !== cookie.name).map(([n, v]) => `${n}=${v}`);
        const header = [...rest.slice(0, 2), sent, ...rest.slice(2)].join('; ');
        assert.equal(readCookie(header, cookie.name), value);
        assert.equal(readCookie(header, `${cookie.name}x`), undefined);
      }),
      { seed: Number(process.env.PROPERTY_SEED ?? 20261130), numRuns: Number(process.env.PROPERTY_RUNS ?? 100) },
    );
    assert.equal(readCookie(undefined, 'a'), undefined);
    assert.equal(readCookie('a', 'a'), undefined);
  });
});
