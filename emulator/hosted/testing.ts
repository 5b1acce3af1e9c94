// Test support for the hosted pages without a browser: read the forms a page renders (action
// and hidden fields) and post them back the way a browser would (urlencoded).

export interface PageForm {
  action: string;
  fields: Record<string, string>;
  buttons: Array<{ name: string; value: string; label: string }>;
}

function unescapeHtml(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export function formsOf(html: string): PageForm[] {
  const forms: PageForm[] = [];
  for (const m of html.matchAll(/<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/g)) {
    const fields: Record<string, string> = {};
    for (const h of (m[2] as string).matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
      fields[h[1] as string] = unescapeHtml(h[2] as string);
    }
    const buttons = [...(m[2] as string).matchAll(/<button([^>]*)>([\s\S]*?)<\/button>/g)].map((b) => ({
      name: /name="([^"]*)"/.exec(b[1] as string)?.[1] ?? '',
      value: /value="([^"]*)"/.exec(b[1] as string)?.[1] ?? '',
      label: unescapeHtml((b[2] as string).trim()),
    }));
    forms.push({ action: unescapeHtml(m[1] as string), fields, buttons });
  }
  return forms;
}

export function formFor(html: string, action: string, index = 0): PageForm {
  const found = formsOf(html).filter((f) => f.action === action)[index];
  if (!found) throw new Error(`no form posting to ${action} in page:\n${html.slice(0, 2000)}`);
  return found;
}

export type Fetchish = (path: string, init?: RequestInit) => Response | Promise<Response>;

export async function submit(
  request: Fetchish,
  form: PageForm,
  values: Record<string, string> = {},
): Promise<Response> {
  return request(form.action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...form.fields, ...values }).toString(),
  });
}
