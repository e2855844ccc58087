// Everything that reaches the page from a manifest, a report or a case study is data, never markup.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe both as element content and inside a quoted attribute value. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * JSON for a `<script type="application/json">` block. `<`, `>` and `&` become \u escapes so no
 * string can close the element (`</script>`) or open a comment (`<!--`) that changes how the HTML
 * parser ends it; U+2028/U+2029 are escaped for older JavaScript parsers. JSON.parse of the
 * block's text gives back the original value.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Third-party JavaScript inlined into a `<script>` element: only the sequence `</script` can end it
 * early. In JS source, outside comments and regexes, `<\/script` means the same thing.
 */
export function inlineScript(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1');
}
