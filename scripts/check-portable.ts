// Fails when the platform-free core (src/) reaches for the host: an import of anything but a
// relative path (node:*, fs, embedded:*, pins/*, timer, any package), or a host global (Buffer,
// process, require, timers, console, DOM, globalThis, Math.random...). tsconfig.core.json already
// rejects undeclared globals; this catches what type-checking lets through (Math.random,
// globalThis, ambient declarations, type-only imports of host modules, triple-slash references).
// A token-level scan: comments, strings, template text and regular expressions are skipped.
// Usage: node dist/scripts/check-portable.js [DIR|FILE...]   (default: src, hal/*.ts, hal/virtual, hal/soft:
// everything that runs on the device unchanged)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Problem {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** Globals that exist in Node, browsers or the Moddable host but not in the portable core. */
const HOST_GLOBALS: ReadonlySet<string> = new Set([
  'Buffer', 'process', 'require', '__dirname', '__filename',
  'setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate',
  'queueMicrotask', 'console', 'window', 'document', 'navigator', 'globalThis', 'global',
  'performance', 'fetch', 'XMLHttpRequest', 'atob', 'btoa', 'structuredClone',
  'trace', 'harden', 'Base64',
]);

const SOURCE_EXTENSIONS = ['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs'];

type TokenKind = 'ident' | 'string' | 'punct' | 'number' | 'template' | 'regex';
interface Token {
  kind: TokenKind;
  text: string;
  line: number;
  column: number;
}

/** Keywords after which a `/` starts a regular expression rather than a division. */
const REGEX_AFTER = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void',
  'throw', 'instanceof', 'yield', 'await']);

const PUNCTUATORS = ['?.', '=>', '...', '::'];

function isIdentStart(c: string): boolean {
  return /[A-Za-z_$]/.test(c) || c.charCodeAt(0) > 0x7f;
}

function isIdentPart(c: string): boolean {
  return /[A-Za-z0-9_$]/.test(c) || c.charCodeAt(0) > 0x7f;
}

/**
 * Splits TypeScript/JavaScript source into tokens, dropping comments and the contents of strings,
 * templates and regular expressions (string tokens keep their value: import specifiers are strings).
 * `references` receives the line of every `/// <reference ...>` directive.
 */
export function tokenize(source: string, references: Array<{ line: number; text: string }> = []): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  // For each open `${` of a template: the brace depth inside it, so its closing `}` is recognised.
  const templateDepths: number[] = [];

  const position = (at: number) => ({ line, column: at - lineStart + 1 });
  const newline = (at: number) => {
    line++;
    lineStart = at + 1;
  };
  const push = (kind: TokenKind, text: string, startLine: number, startColumn: number) => {
    tokens.push({ kind, text, line: startLine, column: startColumn });
  };

  const regexAllowed = (): boolean => {
    const prev = tokens[tokens.length - 1];
    if (!prev) return true;
    if (prev.kind === 'ident') return REGEX_AFTER.has(prev.text);
    if (prev.kind === 'punct') return !(prev.text === ')' || prev.text === ']' || prev.text === '}');
    return false;
  };

  /** Scans template text from i (just after ` or a closing }); stops after ` or at ${. */
  const scanTemplate = (startLine: number, startColumn: number) => {
    while (i < source.length) {
      const c = source[i]!;
      if (c === '\\') {
        if (source[i + 1] === '\n') newline(i + 1);
        i += 2;
        continue;
      }
      if (c === '`') {
        i++;
        push('template', '`', startLine, startColumn);
        return;
      }
      if (c === '$' && source[i + 1] === '{') {
        i += 2;
        templateDepths.push(0);
        push('template', '${', startLine, startColumn);
        return;
      }
      if (c === '\n') newline(i);
      i++;
    }
  };

  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === '\n') {
      newline(i);
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v' || c === '\ufeff' || c === '\u00a0') {
      i++;
      continue;
    }
    const { line: startLine, column: startColumn } = position(i);
    if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      const text = source.slice(i, end === -1 ? source.length : end);
      if (/^\/\/\/\s*<reference\b/.test(text)) references.push({ line: startLine, text: text.trim() });
      i = end === -1 ? source.length : end;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      for (let k = i; k < stop; k++) if (source[k] === '\n') newline(k);
      i = stop;
      continue;
    }
    if (c === '"' || c === "'") {
      let value = '';
      i++;
      while (i < source.length && source[i] !== c && source[i] !== '\n') {
        if (source[i] === '\\') {
          if (source[i + 1] === '\n') newline(i + 1);
          value += source.slice(i, i + 2);
          i += 2;
        } else {
          value += source[i];
          i++;
        }
      }
      i++;
      push('string', value, startLine, startColumn);
      continue;
    }
    if (c === '`') {
      i++;
      scanTemplate(startLine, startColumn);
      continue;
    }
    if (c === '}' && templateDepths.length > 0 && templateDepths[templateDepths.length - 1] === 0) {
      templateDepths.pop();
      i++;
      scanTemplate(startLine, startColumn);
      continue;
    }
    if (c === '/' && regexAllowed()) {
      let inClass = false;
      i++;
      while (i < source.length && source[i] !== '\n') {
        const r = source[i]!;
        if (r === '\\') i++;
        else if (r === '[') inClass = true;
        else if (r === ']') inClass = false;
        else if (r === '/' && !inClass) break;
        i++;
      }
      i++;
      while (i < source.length && isIdentPart(source[i]!)) i++;
      push('regex', '/', startLine, startColumn);
      continue;
    }
    if (isIdentStart(c) || c === '#') {
      const start = i;
      i++;
      while (i < source.length && isIdentPart(source[i]!)) i++;
      push('ident', source.slice(start, i), startLine, startColumn);
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && next !== undefined && /[0-9]/.test(next))) {
      const start = i;
      i++;
      while (i < source.length && /[0-9A-Za-z_.]/.test(source[i]!)) i++;
      push('number', source.slice(start, i), startLine, startColumn);
      continue;
    }
    const multi = PUNCTUATORS.find((p) => source.startsWith(p, i) && !(p === '?.' && /[0-9]/.test(source[i + 2] ?? '')));
    const text = multi ?? c;
    if (templateDepths.length > 0) {
      if (text === '{') templateDepths[templateDepths.length - 1]!++;
      else if (text === '}') templateDepths[templateDepths.length - 1]!--;
    }
    i += text.length;
    push('punct', text, startLine, startColumn);
  }
  return tokens;
}

const DECLARING = new Set(['const', 'let', 'var', 'function', 'class', 'interface', 'type', 'enum', 'namespace']);
const METHOD_PREFIX = new Set(['{', '}', ';', 'static', 'async', 'public', 'private', 'protected', 'readonly',
  'get', 'set', '*', 'override', 'abstract']);

function isRelative(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../');
}

/** The index just after the parenthesis that closes the one at `open`. */
function afterClosingParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    const text = tokens[k]!.kind === 'punct' ? tokens[k]!.text : '';
    if (text === '(') depth++;
    else if (text === ')' && --depth === 0) return k + 1;
  }
  return tokens.length;
}

/** Names the file declares itself (variables, functions, parameters, members): not host globals. */
function localNames(tokens: Token[]): Set<string> {
  const names = new Set<string>();
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind !== 'ident' || !HOST_GLOBALS.has(t.text)) continue;
    const prev = tokens[k - 1];
    const next = tokens[k + 1];
    if (prev?.kind === 'ident' && DECLARING.has(prev.text) && tokens[k - 2]?.text !== 'declare') names.add(t.text);
    // A parameter or destructured binding: `(name: T`, `, name =`, `{ name }` in a declaration list.
    if (prev && (prev.text === '(' || prev.text === ',') && next && (next.text === ':' || next.text === '?' || next.text === '=')) {
      names.add(t.text);
    }
  }
  return names;
}

export function checkSource(file: string, source: string): Problem[] {
  const problems: Problem[] = [];
  const references: Array<{ line: number; text: string }> = [];
  const tokens = tokenize(source, references);
  const report = (t: { line: number; column?: number }, message: string) =>
    problems.push({ file, line: t.line, column: t.column ?? 1, message });

  for (const ref of references) report(ref, `triple-slash reference ${ref.text}: the core takes no host types`);
  const locals = localNames(tokens);

  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    const prev = tokens[k - 1];
    const next = tokens[k + 1];
    if (t.kind === 'string') {
      const isImport = prev?.text === 'from' || (prev?.text === 'import' && prev.kind === 'ident')
        || (prev?.text === '(' && (tokens[k - 2]?.text === 'import' || tokens[k - 2]?.text === 'require'));
      if (isImport && !isRelative(t.text)) {
        report(t, `imports '${t.text}': src/ may import only relative paths (host modules go behind hal/)`);
      }
      continue;
    }
    if (t.kind !== 'ident') continue;
    const isMember = prev?.kind === 'punct' && (prev.text === '.' || prev.text === '?.');
    if (t.text === 'Math' && !isMember && next?.text === '.' && tokens[k + 2]?.text === 'random') {
      report(t, 'uses Math.random: randomness comes from the HAL Random (hal/random.ts)');
      continue;
    }
    if (t.text === 'import' && next?.text === '.' && tokens[k + 2]?.text === 'meta') {
      report(t, 'uses import.meta: module locations are a host matter');
      continue;
    }
    if (!HOST_GLOBALS.has(t.text) || isMember) continue;
    if (prev?.text === 'declare' || (prev && DECLARING.has(prev.text) && tokens[k - 2]?.text === 'declare')) {
      report(t, `declares the host global '${t.text}'`);
      continue;
    }
    if (locals.has(t.text)) continue;
    // An object-literal key or a type member: `{ process: ...`, `, console: ...`.
    if (next?.text === ':' && (prev?.text === '{' || prev?.text === ',' || prev?.text === ';')) continue;
    // A method definition: `process(chunk) {` or `process(chunk): void {` in a class body.
    if (next?.text === '(' && prev && METHOD_PREFIX.has(prev.text)) {
      const after = tokens[afterClosingParen(tokens, k + 1)];
      if (after && (after.text === '{' || after.text === ':')) continue;
    }
    report(t, `uses the host global '${t.text}': the core runs on XS with only ECMAScript and the HAL`);
  }
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}

function listSources(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  if (fs.statSync(dir).isFile()) return [dir];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && SOURCE_EXTENSIONS.some((ext) => e.name.endsWith(ext)))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

export function checkDirectories(dirs: string[], relativeTo: string): Problem[] {
  const problems: Problem[] = [];
  for (const dir of dirs) {
    for (const file of listSources(dir)) {
      problems.push(...checkSource(path.relative(relativeTo, file), fs.readFileSync(file, 'utf8')));
    }
  }
  return problems;
}

/** What runs on the device unchanged: src/, the HAL interfaces (hal/*.ts), hal/virtual and hal/soft. */
function portableTree(root: string): string[] {
  const hal = path.join(root, 'hal');
  const interfaces = fs.existsSync(hal)
    ? fs.readdirSync(hal).filter((f) => SOURCE_EXTENSIONS.some((ext) => f.endsWith(ext))).map((f) => path.join(hal, f))
    : [];
  return [path.join(root, 'src'), ...interfaces, ...['virtual', 'soft'].map((d) => path.join(hal, d)).filter((d) => fs.existsSync(d))];
}

function main(argv: string[]): number {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const dirs = argv.length > 0 ? argv.map((d) => path.resolve(d)) : portableTree(root);
  const missing = dirs.filter((d) => !fs.existsSync(d));
  if (missing.length > 0) {
    console.error(`check-portable: no such folder: ${missing.join(', ')}`);
    return 2;
  }
  const problems = checkDirectories(dirs, process.cwd());
  for (const p of problems) console.error(`${p.file}:${p.line}:${p.column}: ${p.message}`);
  const files = dirs.reduce((n, d) => n + listSources(d).length, 0);
  if (problems.length > 0) {
    console.error(`check-portable: ${problems.length} problem(s): src/ must stay platform-free`);
    return 1;
  }
  const where = argv.length > 0 ? dirs.map((d) => path.relative(process.cwd(), d) || '.').join(', ')
    : 'src, hal/*.ts, hal/virtual, hal/soft';
  console.log(`check-portable: ${files} file(s) in ${where} are platform-free`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
