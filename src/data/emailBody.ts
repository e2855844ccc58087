/** Splits a raw RFC 822 message at the first blank line. */
export function splitEmail(raw: string): { headers: string; body: string } {
  const m = /\r?\n\r?\n/.exec(raw);
  if (m === null) return { headers: '', body: raw };
  return { headers: raw.slice(0, m.index), body: raw.slice(m.index + m[0].length) };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/**
 * Best-effort readable text from an email body: decodes top-level quoted-printable (when the
 * headers declare it), drops HTML markup (style/script contents, comments, tags), decodes the
 * common entities and collapses whitespace. No full MIME parsing: base64 parts stay as is.
 */
export function cleanEmailBody(body: string, headers = ''): string {
  let t = body;
  if (/^content-transfer-encoding:\s*quoted-printable/im.test(headers)) {
    t = t.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
  t = t
    .replace(/<(style|script)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<\/?[a-z!][^>]*>/gi, ' ')
    .replace(/&(#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name.startsWith('#')) {
        const code = Number(name.slice(1));
        return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ' ';
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    });
  return t.replace(/\s+/g, ' ').trim();
}
