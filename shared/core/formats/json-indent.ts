// Indents JSON text for display without parsing it into values: every string and number keeps its exact characters.

/**
 * JSON.stringify(JSON.parse(text), null, 2) would round integers past 2^53 (19-digit sequence numbers,
 * nanosecond times) and rewrite escapes; an examiner reading the event must see what was sealed. This
 * only moves whitespace between tokens. Null when the text is not one JSON value (it is then shown raw).
 */
export function indentJson(text: string, indent = '  '): string | null {
  let out = '';
  let depth = 0;
  let i = 0;
  const n = text.length;
  let expectValue = true;
  let seen = false;
  const stack: string[] = [];
  const newline = () => '\n' + indent.repeat(depth);
  while (i < n) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (stack.length === 0 && seen) return null;
    if (c === '{' || c === '[') {
      if (!expectValue) return null;
      const close = c === '{' ? '}' : ']';
      // An empty container stays on one line.
      let j = i + 1;
      while (j < n && (text[j] === ' ' || text[j] === '\t' || text[j] === '\n' || text[j] === '\r')) j++;
      if (text[j] === close) {
        out += c + close;
        i = j + 1;
        expectValue = false;
        if (stack.length === 0) seen = true;
        continue;
      }
      stack.push(close);
      depth++;
      out += c + newline();
      i++;
      expectValue = true;
      continue;
    }
    if (c === '}' || c === ']') {
      if (stack.pop() !== c || expectValue) return null;
      depth--;
      out += newline() + c;
      i++;
      if (stack.length === 0) seen = true;
      continue;
    }
    if (c === ',') {
      if (expectValue || stack.length === 0) return null;
      out += ',' + newline();
      i++;
      expectValue = true;
      continue;
    }
    if (c === ':') {
      if (expectValue || stack[stack.length - 1] !== '}') return null;
      out += ': ';
      i++;
      expectValue = true;
      continue;
    }
    if (!expectValue) return null;
    let j = i;
    if (c === '"') {
      j++;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= n) return null;
      j++;
    } else {
      while (j < n && /[-+.0-9a-zA-Z]/.test(text[j]!)) j++;
      const token = text.slice(i, j);
      if (!/^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)$/.test(token)) return null;
    }
    out += text.slice(i, j);
    i = j;
    expectValue = false;
    if (stack.length === 0) seen = true;
  }
  return stack.length === 0 && seen && !expectValue ? out : null;
}
