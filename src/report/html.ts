import { escapeHtml } from './escape.js';

// A tagged template that escapes every interpolated value unless it is already markup (Html), so
// a forgotten escapeHtml cannot happen: data goes in as text by default.

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Marks trusted markup (built by this module, never from data). */
export function raw(markup: string): Html {
  return new Html(markup);
}

function piece(v: unknown): string {
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(piece).join('');
  if (v === null || v === undefined || v === false) return '';
  return escapeHtml(v);
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  values.forEach((v, i) => {
    out += piece(v) + strings[i + 1];
  });
  return new Html(out);
}
