/**
 * The HTML of one tab page: no inline script or style (the tab's Content-Security-Policy allows
 * scripts and styles from its own origin only, plus Fluent's runtime styles), a module script,
 * preloads for the chunks it imports at start, and a message for a browser without JavaScript.
 */

export interface PageAssets {
  title: string;
  script: string;
  preloads: string[];
  styles: string[];
}

export function pageHtml(assets: PageAssets): string {
  const lines = [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(assets.title)}</title>`,
    ...assets.styles.map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}">`),
    ...assets.preloads.map((href) => `<link rel="modulepreload" href="${escapeHtml(href)}">`),
    `<script type="module" src="${escapeHtml(assets.script)}"></script>`,
    '</head>',
    '<body>',
    '<div id="root"><p class="boot">Loading klink…</p></div>',
    '<noscript><p class="boot">klink needs JavaScript: open this tab in Microsoft Teams.</p></noscript>',
    '</body>',
    '</html>',
    '',
  ];
  return lines.join('\n');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}
