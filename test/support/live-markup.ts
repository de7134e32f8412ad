import { readerVisibleText } from "../../src/controls/reader-visible-text.js";

/**
 * What GitHub would turn into something live in rendered Markdown, outside code spans: mentions, issue/PR references,
 * GH- references, e-mail addresses, URLs and www. autolinks, and any unescaped character that starts HTML, a link, an image, an entity
 * or a code span. Returns the findings (empty: the text is inert).
 */
export function liveMarkup(markdown: string): string[] {
  // Code spans are inert; what remains is checked. HTML comments would be hidden as well, so they are reported first.
  const found: string[] = [];
  if (unescaped(markdown).includes("<!--")) found.push("HTML comment");
  const prose = readerVisibleText(markdown, { inlineOnly: true });
  const text = unescaped(prose);
  const checks: [string, RegExp][] = [
    ["mention or e-mail autolink", /@[\p{L}\p{N}]/u],
    ["reference", /#[\p{L}\p{N}]/u],
    ["GH- reference", /\bGH-\d/i],
    ["URL", /[a-z][a-z0-9+.-]*:\/\//i],
    ["www autolink", /\bwww\./i],
    ["HTML, link, image, entity or code", /[<[&`]/],
  ];
  for (const [what, pattern] of checks) if (pattern.test(text)) found.push(`${what} in ${JSON.stringify(prose)}`);
  return found;
}

/** The text with every backslash-escaped character replaced by a space (escaped characters are literal). */
function unescaped(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\\" && i + 1 < text.length && /[!-/:-@[-`{-~]/.test(text[i + 1]!)) {
      out += "  ";
      i++;
    } else out += text[i];
  }
  return out;
}
