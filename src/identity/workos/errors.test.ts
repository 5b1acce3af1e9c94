// The one WorkOS error mapper, fed the exceptions the SDK really throws (constructed from its
// exported classes) and a network failure as fetch produces it inside the SDK.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BadRequestException,
  GenericServerException,
  NotFoundException,
  OauthException,
  RateLimitExceededException,
  UnauthorizedException,
  UnprocessableEntityException,
} from '@workos-inc/node';
import { classifyWorkosError, toAppError } from './errors.ts';

const oauth = (status: number, error: string, description: string, extra: Record<string, unknown> = {}) =>
  new OauthException(status, 'req_1', error, description, { error, error_description: description, ...extra });

test('sign-in steps come back as steps, with what the next call needs', () => {
  const selection = classifyWorkosError(
    new GenericServerException(
      403,
      'choose',
      {
        code: 'organization_selection_required',
        pending_authentication_token: 'pat_secret',
        user: {
          id: 'user_1',
          email: 'sam@globex.test',
          email_verified: true,
          first_name: 'Sam',
          last_name: null,
          updated_at: '2026-01-01T00:00:00Z',
        },
        organizations: [
          { id: 'org_A', name: 'Acme' },
          { id: 'org_G', name: 'Globex' },
        ],
      },
      'req_1',
    ),
    'code exchange',
  );
  assert.equal(selection.kind, 'step');
  assert.ok(selection.kind === 'step' && selection.step.kind === 'organization_selection_required');
  assert.equal(selection.step.pendingToken, 'pat_secret');
  assert.deepEqual(
    selection.step.organizations.map((o) => o.name),
    ['Acme', 'Globex'],
  );
  assert.equal(selection.step.user.email, 'sam@globex.test');

  const sso = classifyWorkosError(
    oauth(400, 'sso_required', 'Use SSO', {
      connection_ids: ['conn_1'],
      email: 'a@acme.test',
      pending_authentication_token: 'p',
    }),
    'sign-in',
  );
  assert.ok(sso.kind === 'step' && sso.step.kind === 'sso_required');
  assert.deepEqual(sso.step.connectionIds, ['conn_1']);

  const verify = classifyWorkosError(
    new GenericServerException(
      403,
      'verify',
      { code: 'email_verification_required', pending_authentication_token: 'p', email: 'x@y.test' },
      'r',
    ),
    'sign-in',
  );
  assert.ok(verify.kind === 'step' && verify.step.kind === 'email_verification_required');
  const mfa = classifyWorkosError(
    new GenericServerException(403, 'enroll', { code: 'mfa_enrollment', pending_authentication_token: 'p' }, 'r'),
    'sign-in',
  );
  assert.ok(mfa.kind === 'step' && mfa.step.kind === 'mfa_required' && mfa.step.enrollment);
});

test('terminal refusals: a bad or reused code, an expired one, an unknown id, a refused input', () => {
  const cases: Array<[unknown, string]> = [
    [oauth(400, 'invalid_grant', 'The code is invalid.'), 'PROVIDER_GRANT_INVALID'],
    [oauth(400, 'invalid_grant', 'The code has expired.'), 'PROVIDER_GRANT_EXPIRED'],
    [
      new NotFoundException({
        code: 'entity_not_found',
        message: 'Connection not found',
        path: '/connections/conn_x',
        requestID: 'r',
      }),
      'PROVIDER_NOT_FOUND',
    ],
    [
      new UnprocessableEntityException({ code: 'invalid_request_parameters', message: 'bad', requestID: 'r' }),
      'PROVIDER_INVALID_REQUEST',
    ],
    [new UnauthorizedException('r'), 'PROVIDER_REJECTED'],
    [oauth(400, 'invalid_client', 'Invalid client secret.'), 'PROVIDER_REJECTED'],
    [oauth(400, 'organization_membership_not_found', 'not a member'), 'PROVIDER_REJECTED'],
    [
      new BadRequestException({
        code: 'password_reset_error',
        errors: [{ code: 'password_reset_token_expired' }],
        message: 'x',
        requestID: 'r',
      }),
      'PROVIDER_GRANT_EXPIRED',
    ],
    [
      new BadRequestException({
        code: 'password_reset_error',
        errors: [{ code: 'password_reset_token_invalid' }],
        message: 'x',
        requestID: 'r',
      }),
      'PROVIDER_GRANT_INVALID',
    ],
    [
      new BadRequestException({
        code: 'some_field_error',
        errors: [{ code: 'too_long' }],
        message: 'x',
        requestID: 'r',
      }),
      'PROVIDER_INVALID_REQUEST',
    ],
  ];
  for (const [thrown, code] of cases) {
    const error = toAppError(thrown, 'code exchange');
    assert.equal(error.code, code, String((thrown as Error).message));
    assert.equal(error.retryable, false, code);
  }
  assert.equal(
    toAppError(oauth(400, 'organization_membership_not_found', 'x'), 'refresh').details?.reason,
    'membership_inactive',
  );
});

test('outages are retryable: no answer, 5xx, timeouts and rate limits', () => {
  const network = new Error('Unexpected error: TypeError: fetch failed', { cause: new TypeError('fetch failed') });
  const cases: Array<[unknown, string]> = [
    [network, 'PROVIDER_UNAVAILABLE'],
    [new GenericServerException(502, 'bad gateway', {}, 'r'), 'PROVIDER_UNAVAILABLE'],
    [new OauthException(408, 'r', 'Request timeout', undefined, { error: 'Request timeout' }), 'PROVIDER_UNAVAILABLE'],
    [new RateLimitExceededException('slow down', 'r', 7), 'PROVIDER_RATE_LIMITED'],
  ];
  for (const [thrown, code] of cases) {
    const error = toAppError(thrown, 'refresh');
    assert.equal(error.code, code);
    assert.equal(error.retryable, true, code);
  }
  assert.equal(toAppError(new RateLimitExceededException('slow', 'r', 7), 'x').details?.retryAfter, 7);
});

test('nothing secret survives into the AppError: not the message, not the cause', () => {
  const thrown = new GenericServerException(
    500,
    'boom',
    { code: 'server_error', pending_authentication_token: 'pat_SECRET', code_echo: 'the-code-SECRET' },
    'r',
  );
  const error = toAppError(thrown, 'code exchange');
  const seen =
    JSON.stringify({ message: error.message, cause: String(error.cause), details: error.details }) +
    String((error.cause as Error).message);
  assert.doesNotMatch(seen, /SECRET/);
  // A step where none is expected is refused without carrying the step's token either.
  const step = toAppError(
    new GenericServerException(
      403,
      'choose',
      { code: 'organization_selection_required', pending_authentication_token: 'pat_SECRET', organizations: [] },
      'r',
    ),
    'refresh',
  );
  assert.equal(step.code, 'PROVIDER_REJECTED');
  assert.doesNotMatch(step.message + String(step.cause ?? ''), /SECRET/);
});
