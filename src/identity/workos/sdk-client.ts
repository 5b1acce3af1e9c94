// The one place a WorkOS SDK client is built from our options (api.workos.com or the emulator
// through `apiHostname` / `port` / `https`), shared by sign-in, administration and directory sync,
// and the one mapping from the WORKOS_* configuration to those options.
import { WorkOS } from '@workos-inc/node';
import type { Config } from '../../config.ts';

export interface WorkosClientOptions {
  apiKey: string;
  clientId?: string | undefined;
  /** Defaults to api.workos.com over https. */
  apiHostname?: string | undefined;
  port?: number | undefined;
  https?: boolean | undefined;
  /** Injected for tests that count or fail requests; defaults to the global fetch. */
  fetch?: typeof globalThis.fetch | undefined;
  /** Per-request timeout in ms (the SDK's default is 60 s). */
  timeoutMs?: number | undefined;
  /** Retries of a call that failed to connect or answered 408/429/5xx, with the SDK's backoff (default 3). */
  maxRetries?: number | undefined;
}

export function createWorkosClient(options: WorkosClientOptions, defaultTimeoutMs = 15_000): WorkOS {
  return new WorkOS(options.apiKey, {
    ...(options.clientId ? { clientId: options.clientId } : {}),
    ...(options.apiHostname ? { apiHostname: options.apiHostname } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.https !== undefined ? { https: options.https } : {}),
    ...(options.fetch ? { fetchFn: options.fetch } : {}),
    timeout: options.timeoutMs ?? defaultTimeoutMs,
    ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
  });
}

type WorkosConfig = Pick<
  Config,
  | 'WORKOS_API_KEY'
  | 'WORKOS_CLIENT_ID'
  | 'WORKOS_API_HOSTNAME'
  | 'WORKOS_API_PORT'
  | 'WORKOS_API_HTTPS'
  | 'WORKOS_MAX_RETRIES'
>;

/** The client options the configuration names; undefined without WORKOS_API_KEY. */
export function workosClientOptions(config: WorkosConfig): WorkosClientOptions | undefined {
  if (!config.WORKOS_API_KEY) return undefined;
  return {
    apiKey: config.WORKOS_API_KEY,
    clientId: config.WORKOS_CLIENT_ID,
    apiHostname: config.WORKOS_API_HOSTNAME,
    port: config.WORKOS_API_PORT,
    https: config.WORKOS_API_HTTPS,
    maxRetries: config.WORKOS_MAX_RETRIES,
  };
}

/** Sign-in and administration also need WORKOS_CLIENT_ID; undefined without it or the API key. */
export function workosSignInOptions(config: WorkosConfig): (WorkosClientOptions & { clientId: string }) | undefined {
  const options = workosClientOptions(config);
  return options && config.WORKOS_CLIENT_ID ? { ...options, clientId: config.WORKOS_CLIENT_ID } : undefined;
}

/** The API's base URL, as the SDK reaches it (the issuer of its access tokens). */
export function workosApiBaseUrl(
  config: Pick<Config, 'WORKOS_API_HOSTNAME' | 'WORKOS_API_PORT' | 'WORKOS_API_HTTPS'>,
): string {
  const https = config.WORKOS_API_HTTPS ?? true;
  const port = config.WORKOS_API_PORT ? `:${config.WORKOS_API_PORT}` : '';
  return `${https ? 'https' : 'http'}://${config.WORKOS_API_HOSTNAME ?? 'api.workos.com'}${port}`;
}
