// A misbehaving identity provider, for the attack table only: a fault `oidc-provider` will not
// produce on purpose. It serves a real discovery document and JWKS over HTTP, and its token
// endpoint answers each code with the ID token the test forged for it (wrong nonce, audience,
// issuer, `alg: none`, HS256 keyed with the client secret...). Everything else is real: the
// connection is created through the API with discovery against it, and Gatehouse's unmodified
// openid-client does the checking.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { base64url, exportJWK, SignJWT } from 'jose';

export interface Forgery {
  /** Claims over the honest defaults (iss, aud, sub, email, nonce, iat, exp). */
  claims?: Record<string, unknown>;
  alg?: 'RS256' | 'none' | 'HS256';
}

export interface RogueIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** A code whose token response carries an ID token forged as asked, for this nonce. */
  codeFor(nonce: string, forgery: Forgery): Promise<string>;
  close(): Promise<void>;
}

export async function startRogueIdp(): Promise<RogueIdp> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'rogue-1';
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const clientId = 'gatehouse-rogue';
  const clientSecret = randomBytes(24).toString('base64url');
  const tokens = new Map<string, string>();
  let issuer = '';
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', issuer).pathname;
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (path === '/.well-known/openid-configuration')
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256', 'HS256', 'none'],
        code_challenge_methods_supported: ['S256'],
        authorization_response_iss_parameter_supported: true,
      });
    if (path === '/jwks') return json(200, { keys: [jwk] });
    if (path === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        const code = new URLSearchParams(body).get('code') ?? '';
        const idToken = tokens.get(code);
        tokens.delete(code);
        if (!idToken) return json(400, { error: 'invalid_grant' });
        json(200, {
          access_token: randomBytes(16).toString('hex'),
          token_type: 'Bearer',
          expires_in: 300,
          id_token: idToken,
        });
      });
      return;
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    issuer,
    clientId,
    clientSecret,
    async codeFor(nonce, forgery) {
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        iss: issuer,
        aud: clientId,
        sub: 'rogue-subject',
        email: 'mallory@r.test',
        email_verified: true,
        nonce,
        iat: now,
        exp: now + 300,
        ...forgery.claims,
      };
      let token: string;
      if (forgery.alg === 'none') {
        const enc = (v: object) => base64url.encode(JSON.stringify(v));
        token = `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims)}.`;
      } else if (forgery.alg === 'HS256') {
        token = await new SignJWT(claims)
          .setProtectedHeader({ alg: 'HS256' })
          .sign(new TextEncoder().encode(clientSecret));
      } else {
        token = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(privateKey);
      }
      const code = randomBytes(16).toString('hex');
      tokens.set(code, token);
      return code;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
