// The dev mailbox (`gatehouse dev` only, at /dev/mailbox): every message Gatehouse wrote to its dev
// outbox (.eml files in the data folder) and every message the offline WorkOS emulator "sent"
// (read over its control API, as any client would), newest first. An invitation is offered through
// Gatehouse's own sign-in (`/auth/login?invitationToken=…`), so the invitee accepts it on the
// hosted page and comes back into the product signed in. Never mounted by `serve`: it shows
// sign-in codes and links, which is the point on a developer's machine and nowhere else.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { html } from 'hono/html';
import { DEV_MAILBOX_PATH, documentPage, headerBar, plural } from './chrome.ts';

export interface DevMailboxDeps {
  /** Gatehouse's dev outbox folder (GATEHOUSE_DATA_DIR/outbox). */
  outboxDir: string;
  /** The emulator's base URL and API key for `GET /_emulator/outbox`; absent against a real WorkOS. */
  emulator?: { url: string; apiKey: string } | undefined;
  fetch?: typeof fetch;
}

export interface MailboxMessage {
  from: 'gatehouse' | 'workos';
  kind: string;
  to: string;
  subject: string;
  text: string;
  at: string;
  /** Links worth a button: label and href. */
  links: Array<{ label: string; href: string }>;
}

interface EmulatorMail {
  kind: string;
  to: string;
  subject: string;
  text: string;
  data: Record<string, string>;
  created_at: string;
}

function decodeQuotedPrintable(text: string): string {
  const bytes = text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** A minimal reader for the .eml files our own mailer wrote: headers, then a text body. */
function parseEml(raw: string): { headers: Record<string, string>; body: string } {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0) headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
  }
  const encoding = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  const text =
    encoding === 'quoted-printable'
      ? decodeQuotedPrintable(body)
      : encoding === 'base64'
        ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
        : body;
  return { headers, body: text };
}

function gatehouseMail(outboxDir: string): MailboxMessage[] {
  let files: string[];
  try {
    files = readdirSync(outboxDir).filter((f) => f.endsWith('.eml'));
  } catch {
    return [];
  }
  return files.map((file) => {
    const { headers, body } = parseEml(readFileSync(join(outboxDir, file), 'utf8'));
    const date = Date.parse(headers.date ?? '');
    return {
      from: 'gatehouse' as const,
      kind: 'mail',
      to: headers.to ?? '',
      subject: headers.subject ?? '(no subject)',
      text: body.trim(),
      at: Number.isNaN(date) ? '' : new Date(date).toISOString(),
      links: [],
    };
  });
}

function linksOf(mail: EmulatorMail): MailboxMessage['links'] {
  if (mail.kind === 'invitation' && mail.data.token) {
    const q = new URLSearchParams({ invitationToken: mail.data.token, screenHint: 'sign-up', loginHint: mail.to });
    return [{ label: 'Accept the invitation', href: `/auth/login?${q}` }];
  }
  return Object.entries(mail.data)
    .filter(([, v]) => /^https?:\/\//.test(v))
    .map(([k, v]) => ({ label: k === 'url' ? 'Open the link' : `Open ${k.replace(/_/g, ' ')}`, href: v }));
}

async function workosMail(deps: DevMailboxDeps): Promise<MailboxMessage[] | string> {
  if (!deps.emulator) return [];
  try {
    const res = await (deps.fetch ?? fetch)(`${deps.emulator.url}/_emulator/outbox`, {
      headers: { authorization: `Bearer ${deps.emulator.apiKey}` },
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) return `the emulator answered HTTP ${res.status}`;
    const { data } = (await res.json()) as { data: EmulatorMail[] };
    return data.map((m) => ({
      from: 'workos' as const,
      kind: m.kind,
      to: m.to,
      subject: m.subject,
      text: m.text,
      at: m.created_at,
      links: linksOf(m),
    }));
  } catch {
    return 'the emulator did not answer';
  }
}

export function devMailboxRoutes(deps: DevMailboxDeps): Hono {
  const app = new Hono();
  app.get(DEV_MAILBOX_PATH, async (c) => {
    const to = (c.req.query('to') ?? '').trim().toLowerCase();
    const fromWorkos = await workosMail(deps);
    const all = [...gatehouseMail(deps.outboxDir), ...(typeof fromWorkos === 'string' ? [] : fromWorkos)]
      .filter((m) => !to || m.to.toLowerCase() === to)
      .sort((a, b) => b.at.localeCompare(a.at));
    c.header('cache-control', 'no-store');
    return c.html(
      documentPage({
        title: 'Dev mailbox',
        header: headerBar(null),
        mainAttributes: html`data-page="dev-mailbox"`,
        body: html`<h1>Dev mailbox</h1>
<p class="muted">Mail sent while <code>gatehouse dev</code> runs: Gatehouse's own (sign-in codes) and the WorkOS emulator's
(invitations, magic codes, password resets, verification). Nothing leaves this machine.</p>
<form method="get" class="actions">
<label class="visually-hidden" for="mailbox-to">Recipient</label>
<input id="mailbox-to" name="to" type="email" placeholder="filter by recipient" value="${to}">
<button type="submit" class="secondary">Filter</button>
${to ? html`<a href="${DEV_MAILBOX_PATH}">Show all</a>` : ''}
</form>
${typeof fromWorkos === 'string' ? html`<p class="warning">The emulator's mail is missing: ${fromWorkos}.</p>` : ''}
<p class="muted">${plural(all.length, 'message')}</p>
${all.length === 0 ? html`<p class="empty">No mail yet. Invite someone from Members, or ask for a magic code on the sign-in page.</p>` : ''}
${all.map(
  (m) => html`<section class="mail" data-kind="${m.kind}" data-to="${m.to}">
<h2>${m.subject}</h2>
<p class="muted">To <strong>${m.to}</strong> · from ${m.from === 'gatehouse' ? 'Gatehouse' : 'WorkOS (emulator)'} · ${m.at.replace('T', ' ').slice(0, 19)} UTC</p>
${m.links.length ? html`<p class="actions">${m.links.map((l) => html`<a class="button" href="${l.href}">${l.label}</a>`)}</p>` : ''}
${m.kind === 'invitation' ? html`<p class="field-hint">The button signs the invitee up through Gatehouse's sign-in, so they come back here signed in; the link below is the one WorkOS mails.</p>` : ''}
<pre>${m.text}</pre>
</section>`,
)}`,
      }),
    );
  });
  return app;
}
