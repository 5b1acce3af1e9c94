// The one mapping from WORKOS_* configuration to SDK options, and the client it builds reaching
// the emulator's address rather than api.workos.com.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createWorkosClient, workosApiBaseUrl, workosClientOptions, workosSignInOptions } from './sdk-client.ts';

const none = {
  WORKOS_API_HOSTNAME: undefined,
  WORKOS_API_PORT: undefined,
  WORKOS_API_HTTPS: undefined,
  WORKOS_MAX_RETRIES: 3,
};

test('maps the configuration once: undefined without the key, sign-in also needs the client id', () => {
  assert.equal(workosClientOptions({ ...none, WORKOS_API_KEY: undefined, WORKOS_CLIENT_ID: 'client_1' }), undefined);
  const local = {
    WORKOS_API_KEY: 'sk_test',
    WORKOS_API_HOSTNAME: '127.0.0.1',
    WORKOS_API_PORT: 8787,
    WORKOS_API_HTTPS: false,
    WORKOS_MAX_RETRIES: 0,
  };
  assert.deepEqual(workosClientOptions({ ...local, WORKOS_CLIENT_ID: undefined }), {
    apiKey: 'sk_test',
    clientId: undefined,
    apiHostname: '127.0.0.1',
    port: 8787,
    https: false,
    maxRetries: 0,
  });
  assert.equal(workosSignInOptions({ ...local, WORKOS_CLIENT_ID: undefined }), undefined);
  assert.equal(workosSignInOptions({ ...local, WORKOS_CLIENT_ID: 'client_1' })?.clientId, 'client_1');
  assert.equal(workosApiBaseUrl(local), 'http://127.0.0.1:8787');
  assert.equal(workosApiBaseUrl(none), 'https://api.workos.com');
  const client = createWorkosClient(workosSignInOptions({ ...local, WORKOS_CLIENT_ID: 'client_1' })!);
  assert.equal(client.baseURL, 'http://127.0.0.1:8787');
  assert.equal(client.options.maxRetries, 0, 'WORKOS_MAX_RETRIES reaches the SDK');
});
