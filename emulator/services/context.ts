// What every service needs: the world, the signing keys and the emulator's own configuration.
// Built once by `startEmulator`; services are free functions over it (no module state).
import type { World } from '../state/world.ts';
import type { SigningKeys } from '../keys/signing-keys.ts';

export interface EmulatorConfig {
  /** The secret API key clients send as `Authorization: Bearer …`. */
  apiKey: string;
  /** The AuthKit client id; also the path segment of the JWKS URL. */
  clientId: string;
  /** Where the emulator is reachable, e.g. `http://127.0.0.1:4100`; the token issuer too. */
  baseUrl: string;
}

export interface EmulatorContext {
  world: World;
  keys: SigningKeys;
  config: EmulatorConfig;
}
