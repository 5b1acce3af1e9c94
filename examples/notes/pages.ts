// The notes app's pages: server-rendered with hono/html, which escapes every interpolated value
// (threat: a note's title or body is someone else's input, rendered into a colleague's page).
// No script and no inline style anywhere (the app's CSP allows neither). The organization
// switcher and sign-out are plain forms posting to Gatehouse's own routes, which sit on the same
// origin as the app.
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Note } from './notes-store.ts';

type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

/** What the header shows: the caller and the organizations they may switch to (from Gatehouse's /api/v1/me). */
export interface Viewer {
  email: string | null;
  organizationId: string;
  organizationName: string;
  role: string;
  organizations: Array<{ id: string; name: string; role: string }>;
}

export const NOTES_CSS = `body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1b1d21;background:#f6f7f9}
header{display:flex;flex-wrap:wrap;gap:12px;align-items:center;padding:12px 20px;background:#fff;border-bottom:1px solid #dde0e5}
header .brand{font-weight:700;margin-right:auto}
main{max-width:720px;margin:24px auto;padding:0 20px}
form.inline{display:inline-flex;gap:6px;align-items:center}
header label{margin:0}
.note-body{white-space:pre-wrap}
label{display:block;font-weight:600;margin-top:10px}
input,textarea,select{font:inherit;padding:6px 8px;border:1px solid #c9ccd3;border-radius:6px}
input[type=text],textarea{width:100%;box-sizing:border-box}
button{font:inherit;padding:6px 12px;border:0;border-radius:6px;background:#3b5bdb;color:#fff;cursor:pointer}
button.secondary{background:#e9ecef;color:#1b1d21}
article{background:#fff;border:1px solid #dde0e5;border-radius:8px;padding:12px 16px;margin:12px 0}
article h2{margin:0 0 4px;font-size:1.1rem}
small{color:#5c6370}
.refusal{border-left:4px solid #c92a2a;background:#fff;padding:12px 16px}`;

function layout(title: string, body: Markup, viewer?: Viewer): Markup {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Notes</title>
<link rel="stylesheet" href="/notes/notes.css">
</head>
<body>
<header>
<a class="brand" href="/notes">Notes</a>
${viewer ? header(viewer) : ''}
</header>
<main>
${body}
</main>
</body>
</html>`;
}

function header(viewer: Viewer): Markup {
  const others = viewer.organizations.filter((o) => o.id !== viewer.organizationId);
  return html`<span data-testid="viewer">${viewer.email ?? ''}</span>
<small data-testid="organization">${viewer.organizationName} · ${viewer.role}</small>
${
  others.length === 0
    ? ''
    : html`<form method="post" action="/auth/switch-organization" class="inline">
<label for="organizationId">Organization</label>
<select id="organizationId" name="organizationId">
${others.map((o) => html`<option value="${o.id}">${o.name}</option>`)}
</select>
<input type="hidden" name="returnTo" value="/notes">
<button type="submit" class="secondary">Switch</button>
</form>`
}
<form method="post" action="/auth/logout" class="inline">
<button type="submit" class="secondary">Sign out</button>
</form>`;
}

export function notesPage(viewer: Viewer, notes: readonly Note[], canWrite: boolean): Markup {
  return layout(
    `${viewer.organizationName} notes`,
    html`<h1>${viewer.organizationName} notes</h1>
${canWrite ? html`<p><a href="/notes/new">New note</a></p>` : html`<p><small>You can read notes here; writing needs notes:write.</small></p>`}
${notes.length === 0 ? html`<p data-testid="no-notes">No notes yet.</p>` : ''}
${notes.map(
  (n) => html`<article data-testid="note">
<h2><a href="/notes/${n.id}">${n.title}</a></h2>
<small>${n.author} · ${n.createdAt.slice(0, 16).replace('T', ' ')} UTC</small>
</article>`,
)}`,
    viewer,
  );
}

export function newNotePage(viewer: Viewer): Markup {
  return layout(
    'New note',
    html`<h1>New note in ${viewer.organizationName}</h1>
<form method="post" action="/notes">
<label for="title">Title</label>
<input type="text" id="title" name="title" required maxlength="200">
<label for="body">Text</label>
<textarea id="body" name="body" rows="6" maxlength="10000"></textarea>
<p><button type="submit">Save note</button></p>
</form>`,
    viewer,
  );
}

export function notePage(viewer: Viewer, note: Note): Markup {
  return layout(
    note.title,
    html`<article data-testid="note">
<h1>${note.title}</h1>
<small>${note.author} · ${note.createdAt.slice(0, 16).replace('T', ' ')} UTC</small>
<p class="note-body">${note.body}</p>
</article>
<p><a href="/notes">All notes</a></p>`,
    viewer,
  );
}

/** A refusal as a page: the status and Gatehouse's code, and a way on (sign in again, or back). */
export function refusalPage(status: number, code: string, message: string, signInUrl: string): Markup {
  const title = status === 401 ? 'Sign in again' : status === 404 ? 'Not found' : 'Not allowed';
  return layout(
    title,
    html`<section class="refusal" role="alert" data-code="${code}">
<h1>${title}</h1>
<p>${message}</p>
<p><small>${status} ${code}</small></p>
</section>
<p>${status === 401 ? html`<a href="${signInUrl}">Sign in</a>` : html`<a href="/notes">Back to the notes</a>`}</p>`,
  );
}
