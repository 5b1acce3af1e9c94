// Wire shapes of the environment-level features beyond users, organizations, SSO and directories:
// CORS origins, API keys, groups, feature flags, audit-log schemas and exports, authorization
// resources and device authorization. Same rule as `types.ts`: what WorkOS shows, nothing private.
import type { Iso } from './types.ts';

export interface CorsOriginWire {
  object: 'cors_origin';
  id: string;
  origin: string;
  created_at: Iso;
  updated_at: Iso;
}

/** A kept answer to a POST with an `Idempotency-Key` (http/idempotency.ts); private, never listed. */
export interface IdempotentAnswer {
  /** sha256 of the request body: the same key with another body is refused. */
  fingerprint: string;
  status: number;
  contentType: string | null;
  body: string;
  atMs: number;
}
