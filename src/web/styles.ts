// The one stylesheet of every Gatehouse page (home, sign-in, admin), served from our own origin at
// STYLESHEET_PATH so a Content-Security-Policy of `default-src 'none'; style-src 'self'` allows it
// without 'unsafe-inline'. No framework and no script: system fonts, a few components (buttons,
// cards, tables that scroll inside their card, truncating ids) and a phone layout.
import { Hono } from 'hono';
import { createHash } from 'node:crypto';

const STYLESHEET_PATH = '/assets/gatehouse.css';

const STYLESHEET = `
:root { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2433; background: #f4f5f8;
  --ink: #1d2433; --muted: #5b6475; --line: #dfe3ea; --accent: #2f5bd3; --danger: #b42318; --ok: #1c7c3a; }
* { box-sizing: border-box; }
body { margin: 0; line-height: 1.45; overflow-wrap: break-word; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #5b8def; outline-offset: 1px; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; } h2 { font-size: 1.15rem; margin: 0 0 .6rem; }
code { background: #eef0f4; padding: 0 .25rem; border-radius: .2rem; font-size: .92em; }
.muted { color: var(--muted); } .empty { color: var(--muted); font-style: italic; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }

/* the header: who is signed in, in which organization, the switcher, sign-out */
.top { background: var(--ink); color: #fff; padding: .6rem 1.25rem; display: flex; flex-wrap: wrap; gap: .5rem 1rem;
  align-items: center; }
.top a { color: #fff; } .top .brand { font-weight: 700; text-decoration: none; margin-right: .5rem; }
.top .who { display: flex; flex-direction: column; line-height: 1.2; min-width: 0; }
.top .who small { color: #c9cfdb; }
.top form { margin: 0; display: flex; gap: .4rem; align-items: center; }
.top .end { margin-left: auto; display: flex; gap: .6rem; align-items: center; flex-wrap: wrap; }
.top select { max-width: 12rem; }
.top .button.secondary, .top button.secondary { background: transparent; color: #fff; border-color: #8a93a6; }
.devbar { background: #fff4d6; color: #5c4400; padding: .35rem 1.25rem; font-size: .9rem; }

/* navigation: only the sections the person may use */
nav.sections { display: flex; gap: .25rem; flex-wrap: wrap; padding: .5rem 1.25rem; background: #e6e9ef;
  padding-left: max(1.25rem, calc((100% - 72rem) / 2 + 1.25rem)); }
nav.sections a { padding: .35rem .7rem; border-radius: .3rem; color: var(--ink); text-decoration: none; }
nav.sections a[aria-current=page] { background: var(--ink); color: #fff; }

main { padding: 1.25rem; max-width: 72rem; margin: 0 auto; }
main.narrow { max-width: 30rem; margin: 2.5rem auto; }
section, .card { background: #fff; border: 1px solid var(--line); border-radius: .5rem; padding: 1rem 1.1rem; margin: 0 0 1rem;
  min-width: 0; }
main.narrow > .card { padding: 1.5rem; box-shadow: 0 1px 3px #0001; }

/* buttons: one look for <button> and links styled as buttons */
button, .button { font: inherit; font-size: .95rem; padding: .4rem .85rem; border-radius: .35rem; cursor: pointer;
  border: 1px solid var(--ink); background: var(--ink); color: #fff; text-decoration: none; display: inline-block;
  line-height: 1.3; white-space: nowrap; }
button:hover, .button:hover { filter: brightness(1.15); }
button.secondary, .button.secondary { background: #fff; color: var(--ink); border-color: #b8c0cf; }
button.danger, .button.danger { background: #fff; color: var(--danger); border-color: #e4a29b; }
button.danger.strong { background: var(--danger); color: #fff; border-color: var(--danger); }
.actions { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; }
form.inline { display: inline-flex; gap: .35rem; align-items: center; margin: 0; }
main > form.actions, main > p.muted { margin: 0 0 1rem; }
td .actions { flex-wrap: nowrap; }

/* forms */
label { display: block; margin: .6rem 0 .2rem; font-weight: 600; }
label.inline-label { display: inline; font-weight: 400; margin: 0; }
input.narrow-number { width: 5em; }
label.check { display: flex; gap: .45rem; align-items: flex-start; font-weight: 400; }
input, select, textarea { font: inherit; padding: .4rem .5rem; border: 1px solid #b8c0cf; border-radius: .3rem;
  background: #fff; max-width: 100%; }
input[type=text], input[type=email], input[type=password], input:not([type]), select.wide { width: min(28rem, 100%); }
input[type=checkbox] { width: auto; margin-top: .25rem; }
.field-hint { color: var(--muted); font-size: .88rem; margin: .15rem 0 0; }
form > p:last-child { margin-bottom: 0; }

/* notices */
.notice, .error, .warning { padding: .6rem .8rem; border-radius: .35rem; margin: 0 0 1rem; }
.notice { background: #e6f4ea; border: 1px solid #9ccfa9; }
.error { background: #fdecea; border: 1px solid #f1a8a0; }
.warning { background: #fff4d6; border: 1px solid #ecc66a; }
.impersonation { background: #fff4d6; border: 2px solid #d9a400; padding: .6rem .8rem; border-radius: .35rem; margin: 0 0 1rem; }
form .error { margin: .6rem 0; }

/* tables scroll inside their card, never the page */
.table-wrap { overflow-x: auto; max-width: 100%; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; background: #fff; }
caption { text-align: left; padding: 0 0 .4rem; }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .85rem; color: var(--muted); font-weight: 600; white-space: nowrap; }
td.nowrap, td.nowrap code { white-space: nowrap; }
/* long ids show their start and end; the whole id is in the title and selectable */
.id { display: inline-block; max-width: 11rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap;
  vertical-align: bottom; font-family: ui-monospace, monospace; font-size: .85em; background: #eef0f4; padding: 0 .25rem;
  border-radius: .2rem; user-select: all; }
.secret { font-family: ui-monospace, monospace; width: 100%; }

/* home: the person's organizations */
ul.orgs { list-style: none; padding: 0; margin: 0; display: grid; gap: .6rem; }
ul.orgs li { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; justify-content: space-between;
  border: 1px solid var(--line); border-radius: .4rem; padding: .6rem .8rem; }
.mail pre { white-space: pre-wrap; background: #f7f8fa; padding: .6rem; border-radius: .3rem; margin: .4rem 0 0; }

@media (max-width: 40rem) {
  main { padding: .75rem; }
  .top { padding: .5rem .75rem; }
  .top .end { margin-left: 0; }
  nav.sections { padding: .4rem .75rem; }
  section, .card { padding: .8rem; }
  .id { max-width: 7rem; }
}
`;

/** A hash of the stylesheet, so its URL changes when it does and it can be cached for long. */
const STYLESHEET_VERSION = createHash('sha256').update(STYLESHEET).digest('hex').slice(0, 12);
export const STYLESHEET_HREF = `${STYLESHEET_PATH}?v=${STYLESHEET_VERSION}`;

export function styleRoutes(): Hono {
  const app = new Hono();
  app.get(STYLESHEET_PATH, (c) => {
    c.header('content-type', 'text/css; charset=utf-8');
    c.header('cache-control', 'public, max-age=86400');
    return c.body(STYLESHEET);
  });
  return app;
}
