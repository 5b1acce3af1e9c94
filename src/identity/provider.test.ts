import assert from 'node:assert/strict';
import { test } from 'node:test';
import { methodKindOf } from './provider.ts';

test("only WorkOS's SSO method counts as SSO; social OAuth, passwords and codes do not", () => {
  const table: Array<[string | undefined, string]> = [
    ['SSO', 'sso'],
    ['Password', 'password'],
    ['MagicAuth', 'magic_auth'],
    ['GoogleOAuth', 'oauth'],
    ['MicrosoftOAuth', 'oauth'],
    ['GitHubOAuth', 'oauth'],
    ['Passkey', 'passkey'],
    ['Impersonation', 'impersonation'],
    ['CrossAppAuth', 'other'],
    [undefined, 'other'],
    ['sso', 'other'],
  ];
  for (const [method, kind] of table) assert.equal(methodKindOf(method), kind, String(method));
});
