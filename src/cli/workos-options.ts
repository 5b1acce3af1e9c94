// WorkOS client options from the configuration, for commands that talk to WorkOS (or the emulator).
import { ConfigError, type Config } from '../config.ts';
import type { WorkosProviderOptions } from '../identity/workos/workos-provider.ts';

export function workosOptionsFrom(config: Config): WorkosProviderOptions {
  if (!config.WORKOS_API_KEY)
    throw new ConfigError('WORKOS_API_KEY', 'is required for this command; expected a WorkOS API key (sk_...)');
  if (!config.WORKOS_CLIENT_ID)
    throw new ConfigError('WORKOS_CLIENT_ID', 'is required for this command; expected a WorkOS client id (client_...)');
  return {
    apiKey: config.WORKOS_API_KEY,
    clientId: config.WORKOS_CLIENT_ID,
    apiHostname: config.WORKOS_API_HOSTNAME,
    port: config.WORKOS_API_PORT,
    https: config.WORKOS_API_HTTPS,
  };
}
