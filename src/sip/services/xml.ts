/**
 * A tiny, tolerant XML reader for the small event bodies the phone receives (dialog-info, PIDF): elements,
 * attributes and text, namespace prefixes dropped (the documents' vocabularies do not collide). No DTDs, no
 * entities beyond the five predefined ones and character references. Throws Error on a document it cannot read.
 */

export interface XmlElement {
  /** Local name, prefix removed. */
  name: string;
  /** Attributes by local name (prefix removed; xmlns declarations dropped). */
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Character data directly inside, entities decoded, not trimmed. */
  text: string;
}

const ATTR = /([^\s=/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

function local(name: string): string {
  const c = name.indexOf(':');
  return c < 0 ? name : name.slice(c + 1);
}

export function decodeEntities(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g, (_, e: string) => {
    switch (e) {
      case 'lt': return '<';
      case 'gt': return '>';
      case 'amp': return '&';
      case 'quot': return '"';
      case 'apos': return "'";
      default: return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    }
  });
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : '&apos;'));
}

/** The root element of a document. */
export function parseXml(text: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const top = stack[stack.length - 1];
    if (lt < 0 || lt > i) {
      const chunk = text.slice(i, lt < 0 ? text.length : lt);
      if (top) top.text += decodeEntities(chunk);
      else if (chunk.trim()) throw new Error('xml: text outside the root element');
      if (lt < 0) break;
    }
    if (text.startsWith('<!--', lt)) {
      const e = text.indexOf('-->', lt + 4);
      if (e < 0) throw new Error('xml: unterminated comment');
      i = e + 3;
    } else if (text.startsWith('<![CDATA[', lt)) {
      const e = text.indexOf(']]>', lt + 9);
      if (e < 0) throw new Error('xml: unterminated CDATA');
      if (top) top.text += text.slice(lt + 9, e);
      i = e + 3;
    } else if (text.startsWith('<?', lt)) {
      const e = text.indexOf('?>', lt + 2);
      if (e < 0) throw new Error('xml: unterminated processing instruction');
      i = e + 2;
    } else if (text.startsWith('<!', lt)) {
      const e = text.indexOf('>', lt + 2);
      if (e < 0) throw new Error('xml: unterminated declaration');
      i = e + 1;
    } else {
      const gt = findTagEnd(text, lt + 1);
      if (gt < 0) throw new Error('xml: unterminated tag');
      const inner = text.slice(lt + 1, gt);
      i = gt + 1;
      if (inner[0] === '/') {
        const name = local(inner.slice(1).trim());
        // Tolerant: close up to the matching element (unclosed children end with it).
        let k = stack.length - 1;
        while (k >= 0 && stack[k]!.name !== name) k--;
        if (k < 0) throw new Error(`xml: unexpected </${name}>`);
        stack.length = k;
        continue;
      }
      const selfClosing = inner.endsWith('/');
      const body = selfClosing ? inner.slice(0, -1) : inner;
      const m = /^\s*([^\s/>]+)/.exec(body);
      if (!m) throw new Error('xml: tag without a name');
      const el: XmlElement = { name: local(m[1]!), attrs: {}, children: [], text: '' };
      ATTR.lastIndex = m[0].length;
      for (let a = ATTR.exec(body); a; a = ATTR.exec(body)) {
        const n = a[1]!;
        if (n === 'xmlns' || n.startsWith('xmlns:')) continue;
        el.attrs[local(n)] = decodeEntities(a[2] ?? a[3] ?? '');
      }
      if (top) top.children.push(el);
      else if (root) throw new Error('xml: more than one root element');
      else root = el;
      if (!selfClosing) stack.push(el);
    }
  }
  if (!root) throw new Error('xml: no root element');
  if (stack.length) throw new Error(`xml: <${stack[0]!.name}> not closed (truncated document?)`);
  return root;
}

function findTagEnd(text: string, from: number): number {
  let quote = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote) {
      if (c === quote) quote = 0;
    } else if (c === 34 || c === 39) quote = c;
    else if (c === 62) return i;
  }
  return -1;
}

export function childOf(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

export function childrenOf(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}

/** Trimmed text of a child element, or undefined when absent or empty. */
export function childText(el: XmlElement | undefined, name: string): string | undefined {
  const t = childOf(el, name)?.text.trim();
  return t ? t : undefined;
}
