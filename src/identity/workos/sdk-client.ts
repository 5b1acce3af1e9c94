// The one place a WorkOS SDK client is built from our options (api.workos.com or the emulator
// through `apiHostname` / `port` / `https`), shared by sign-in, administration and directory sync.
import { WorkOS } from '@workos-inc/node';

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
}

export function createWorkosClient(options: WorkosClientOptions, defaultTimeoutMs = 15_000): WorkOS {
  return new WorkOS(options.apiKey, {
    ...(options.clientId ? { clientId: options.clientId } : {}),
    ...(options.apiHostname ? { apiHostname: options.apiHostname } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.https !== undefined ? { https: options.https } : {}),
    ...(options.fetch ? { fetchFn: options.fetch } : {}),
    timeout: options.timeoutMs ?? defaultTimeoutMs,
  });
}
