/**
 * The text of a Markdown document that a reader of the rendered page sees as prose, line for line (the result has as
 * many lines as the input). HTML comments (PR-template placeholders) are always removed; code (fenced blocks of ``` or
 * ~~~ of any length, indented blocks, code spans) is removed too unless `keepCode` is set. Removed code leaves a space,
 * so text either side of it never joins into a word the reader does not see. Linear time, one pass, no regular
 * expression that can backtrack.
 */
export function readerVisibleText(markdown: string, options: ReadOptions = {}): string {
  return readerVisibleLines(markdown, options)
    .map((line) => line.text)
    .join("\n");
}

export interface ReadOptions {
  keepCode?: boolean;
  /** Text without block structure (a PR title): only comments and code spans, no fences or indented code. */
  inlineOnly?: boolean;
}

export interface VisibleLine {
  text: string;
  /** The line starts inside an HTML comment (or with one): what follows it is shown as text, never a heading. */
  html: boolean;
}

/** {@link readerVisibleText}, one entry per line of the input. */
export function readerVisibleLines(markdown: string, { keepCode = false, inlineOnly = false }: ReadOptions = {}): VisibleLine[] {
  const lines = inlineOnly ? [markdown] : markdown.split("\n");
  const out: VisibleLine[] = [];
  let fence: Fence | null = null;
  let indentedCode = false;
  let previousBlank = true;
  let inList = false;
  const inline: InlineState = { inComment: false, spanEnd: null };

  lines.forEach((raw, index) => {
    const cr = raw.endsWith("\r") ? "\r" : "";
    const line = cr ? raw.slice(0, -1) : raw;
    const code = (): void => void out.push({ text: keepCode ? raw : "", html: false });
    if (fence) {
      if (closesFence(line, fence)) fence = null;
      return code();
    }
    const blank = line.trim() === "";
    const html = inline.inComment || HTML_COMMENT_START.test(line);
    if (!inlineOnly && !inline.inComment && !inline.spanEnd) {
      if (indentedCode && (blank || INDENTED.test(line))) return code();
      indentedCode = false;
      const opened = openingFence(line);
      if (opened) {
        fence = opened;
        previousBlank = true;
        return code();
      }
      if (!blank && previousBlank && !inList && INDENTED.test(line)) {
        indentedCode = true;
        return code();
      }
      if (!blank && LIST_ITEM.test(line)) inList = true;
      else if (!blank && !INDENTED.test(line) && previousBlank) inList = false;
    }
    previousBlank = blank;
    out.push({ text: visibleInline(lines, index, line, inline, keepCode) + cr, html });
  });
  return out;
}

export interface Fence {
  char: string;
  length: number;
}

interface InlineState {
  inComment: boolean;
  /** Where an open code span that started on an earlier line closes: line index and the column after its closer. */
  spanEnd: { line: number; column: number } | null;
}

const HTML_COMMENT_START = /^ {0,3}<!--/;
const INDENTED = /^(?: {4}| {0,3}\t)/;
const LIST_ITEM = /^ {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)/;

export function openingFence(line: string): Fence | null {
  const match = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
  if (!match) return null;
  const [, run, info] = match as unknown as [string, string, string];
  if (run.startsWith("`") && info.includes("`")) return null; // a backtick fence's info string has no backticks
  return { char: run[0]!, length: run.length };
}

export function closesFence(line: string, fence: Fence): boolean {
  const match = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
  return !!match && match[1]!.startsWith(fence.char) && match[1]!.length >= fence.length;
}

const runLength = (text: string, at: number): number => {
  let end = at;
  while (text[end] === "`") end++;
  return end - at;
};

/**
 * Where the code span opened by `length` backticks closes: the next run of exactly that many backticks, on this line
 * or a later line of the same paragraph (up to a blank line). Null when none: the backticks are then literal text.
 */
function spanCloser(lines: string[], line: number, from: number, length: number): { line: number; column: number } | null {
  for (let l = line; l < lines.length; l++) {
    const text = lines[l]!;
    if (l > line && text.trim() === "") return null;
    let at = l === line ? from : 0;
    while ((at = text.indexOf("`", at)) >= 0) {
      const run = runLength(text, at);
      if (run === length) return { line: l, column: at + run };
      at += run;
    }
  }
  return null;
}

/** One line without its HTML comments and (unless kept) code spans; comments and spans may continue across lines. */
function visibleInline(lines: string[], index: number, line: string, state: InlineState, keepCode: boolean): string {
  let out = "";
  let pos = 0;
  if (state.spanEnd) {
    if (state.spanEnd.line > index) return keepCode ? line : " ";
    pos = state.spanEnd.column;
    out = keepCode ? line.slice(0, pos) : " ";
    state.spanEnd = null;
  }
  while (pos < line.length) {
    if (state.inComment) {
      const end = line.indexOf("-->", pos);
      if (end < 0) return out;
      state.inComment = false;
      pos = end + 3;
      continue;
    }
    const ch = line[pos]!;
    if (ch === "\\" && (line[pos + 1] === "`" || line[pos + 1] === "<")) {
      out += line.slice(pos, pos + 2);
      pos += 2;
    } else if (ch === "<" && line.startsWith("<!--", pos)) {
      state.inComment = true;
      pos += 4;
    } else if (ch === "`") {
      const length = runLength(line, pos);
      const closer = spanCloser(lines, index, pos + length, length);
      if (!closer) {
        out += line.slice(pos, pos + length);
        pos += length;
      } else if (closer.line === index) {
        out += keepCode ? line.slice(pos, closer.column) : " ";
        pos = closer.column;
      } else {
        state.spanEnd = closer;
        return out + (keepCode ? line.slice(pos) : " ");
      }
    } else {
      out += ch;
      pos++;
    }
  }
  return out;
}
