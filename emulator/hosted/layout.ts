import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

// The shell of every hosted page: inline CSS only, no scripts, nothing fetched from the
// internet, so the pages work offline and in a locked-down headless browser. Interpolations
// through `html` are escaped, so user-supplied values (emails, names) cannot inject markup.

export type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

const STYLE = `
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.5 system-ui, sans-serif; background: #f4f5f7; color: #1b1d21; }
  main { max-width: 420px; margin: 8vh auto; background: #fff; border-radius: 10px; padding: 32px;
         box-shadow: 0 1px 3px rgba(0,0,0,.12); }
  h1 { font-size: 20px; margin: 0 0 4px; }
  p.sub { color: #5b616e; margin: 0 0 20px; }
  label { display: block; font-weight: 600; margin: 12px 0 4px; }
  input, select { width: 100%; padding: 9px 10px; border: 1px solid #c9ccd3; border-radius: 6px; font: inherit; }
  button { width: 100%; margin-top: 16px; padding: 10px; border: 0; border-radius: 6px; background: #3346d3;
           color: #fff; font: inherit; font-weight: 600; cursor: pointer; }
  button.secondary { background: #e8eaf0; color: #1b1d21; }
  .error { background: #fdecec; color: #9b1c1c; padding: 8px 12px; border-radius: 6px; margin-bottom: 12px; }
  .badge { display: inline-block; font-size: 12px; background: #fff4d6; color: #7a5300; padding: 2px 8px; border-radius: 10px; }
  .list form button { text-align: left; background: #f4f5f7; color: #1b1d21; font-weight: 400; }
  code { word-break: break-all; background: #f4f5f7; padding: 2px 4px; border-radius: 4px; }
  a { color: #3346d3; }
`;

export function page(title: string, body: Markup, status = 200): { markup: Markup; status: number } {
  const markup = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${raw(STYLE)}</style>
</head>
<body><main>
<p><span class="badge">WorkOS emulator</span></p>
${body}
</main></body>
</html>`;
  return { markup, status };
}

export function errorBox(message: string | null | undefined): Markup {
  return message ? html`<div class="error" role="alert">${message}</div>` : html``;
}

export function hidden(fields: Record<string, string | null | undefined>): Markup {
  return html`${Object.entries(fields)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([name, value]) => html`<input type="hidden" name="${name}" value="${value ?? ''}">`)}`;
}
