// Which handler applies which event type. A type not listed here is stored and acknowledged
// (outcome `unhandled`): WorkOS adds event types over time and an unknown one must never make the
// provider retry forever.
import { directorySyncHandlers } from './directory-handlers.ts';
import type { EventHandler } from './context.ts';
import { organizationHandlers } from './organization-handlers.ts';
import { userHandlers } from './user-handlers.ts';
import { onMagicAuthCreated } from './magic-auth-handlers.ts';

export const EVENT_HANDLERS: Readonly<Record<string, EventHandler>> = {
  ...organizationHandlers,
  ...userHandlers,
  ...directorySyncHandlers,
  'magic_auth.created': onMagicAuthCreated,
};

export const HANDLED_EVENT_TYPES: readonly string[] = Object.keys(EVENT_HANDLERS);
