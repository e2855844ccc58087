import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml, inlineScript, jsonForScript } from '../../src/report/escape.js';
import { html, raw } from '../../src/report/html.js';
import { HOSTILE } from './fixtures.js';

describe('escapeHtml', () => {
  it('escapes the five HTML metacharacters', () => {
    assert.equal(escapeHtml(`<a href="x" title='y'>&amp;</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
    assert.equal(escapeHtml('<script>alert(1)</script>'), '&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('leaves no tag, quote or raw ampersand in hostile text', () => {
    const out = escapeHtml(HOSTILE);
    assert.doesNotMatch(out, /[<>"']/);
    assert.doesNotMatch(out, /&(?!amp;|lt;|gt;|quot;|#39;)/);
  });

  it('turns null and undefined into empty text and numbers into text', () => {
    assert.equal(escapeHtml(null), '');
    assert.equal(escapeHtml(undefined), '');
    assert.equal(escapeHtml(1.5), '1.5');
  });
});

describe('html template', () => {
  it('escapes interpolations, including inside arrays, and passes raw markup through', () => {
    const out = html`<p title="${HOSTILE}">${HOSTILE}${[HOSTILE, raw('<b>ok</b>')]}</p>`.value;
    assert.equal(out.match(/<script/gi), null);
    assert.equal(out.match(/<img/gi), null);
    assert.match(out, /<b>ok<\/b>/);
    assert.ok(out.startsWith('<p title="&lt;script&gt;'));
  });

  it('drops null, undefined and false', () => {
    assert.equal(html`a${null}${undefined}${false}b`.value, 'ab');
  });
});

describe('jsonForScript', () => {
  it('cannot close the script element or open a comment, and parses back to the same value', () => {
    const value = { name: HOSTILE, nested: [HOSTILE, { s: '\u2028\u2029' }], n: 1.25 };
    const out = jsonForScript(value);
    assert.doesNotMatch(out, /<\/script/i);
    assert.doesNotMatch(out, /<!--/);
    assert.doesNotMatch(out, /[<>&\u2028\u2029]/);
    assert.deepEqual(JSON.parse(out), value);
  });
});

describe('inlineScript', () => {
  it('neutralises a closing script tag in inlined source', () => {
    const out = inlineScript('var s = "</script><script>alert(1)</SCRIPT>";');
    assert.doesNotMatch(out, /<\/script/i);
    assert.equal(eval(`(function () { ${out}; return s; })()`), '</script><script>alert(1)</SCRIPT>');
  });
});
