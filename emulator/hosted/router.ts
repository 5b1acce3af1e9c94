import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import type { EmulatorContext } from '../services/context.ts';
import { createAuthkitPages } from './authkit-router.ts';
import { createFlowSealer } from './flow-token.ts';
import { createPasswordResetPages } from './password-reset-router.ts';
import { createPortalPages } from './portal-router.ts';
import { createDevicePages } from './device-pages.ts';

// Every server-rendered page of the emulator, for the core to mount at the root:
//   GET  /user_management/authorize   AuthKit hosted sign-in (email, password, magic code,
//                                     sign-up, email verification, organization choice)
//   GET  /sso/authorize               the SSO API's test identity provider page
//   POST /_hosted/authorize/*        the steps of both
//   GET  /invite?invitation_token=…  invitation email link: sign up or in, accepting the invitation
//   GET  /reset-password?token=…     password reset email link; posts to /_hosted/reset-password
//   GET  /portal/:intent?token=…      admin portal (sso, dsync, domain_verification; others
//                                     show a "not emulated" page)
//   POST /portal/{sso/connect, dsync/create, domain_verification/verify}
//   GET/POST /device, /device/callback, /device/confirm   CLI Auth verification (device-pages.ts)

export interface HostedOptions {
  /** Key that seals the state carried between pages; random per process unless given. */
  sealingKey?: Buffer;
}

export function createHostedRouter(ctx: EmulatorContext, options: HostedOptions = {}): Hono {
  const sealer = createFlowSealer(options.sealingKey ?? randomBytes(32), () => ctx.world.clock.nowMs());
  const app = new Hono();
  app.route('/', createAuthkitPages(ctx, sealer));
  app.route('/', createPortalPages(ctx));
  app.route('/', createPasswordResetPages(ctx));
  app.route('/', createDevicePages(ctx));
  return app;
}
