/** Breaks a reference without changing what a reader sees: a zero-width space (as the org summary already does). */
const BREAK = "\u200B";

/**
 * User-supplied text (a waiver justification, a team or owner name, a title) shown as plain words in Markdown outside a
 * code span, in check runs, issues and replies alike: one line; Markdown and HTML specials escaped with a backslash (no
 * tag, comment, entity, link, image, emphasis or code span can start); and every GitHub reference broken by a
 * zero-width space after its marker, so `@acme/everyone`, `#1`, `owner/repo#1`, `GH-1`, `https://x` and `www.x`
 * render as the same characters but mention, link and cross-reference nothing. Pipes are left to `tableCell`.
 */
export function plainText(text: string): string {
  return text
    .replace(/\s*[\r\n]+\s*/g, " ")
    .replace(/[\\`*_[\]~<>&!]/g, "\\$&")
    .replace(/([@#])(?=[\p{L}\p{N}_])/gu, `$1${BREAK}`)
    .replace(/\b(GH)-(?=\d)/gi, `$1${BREAK}-`)
    .replace(/:(?=\/\/)/g, `:${BREAK}`)
    .replace(/\b(www)\./gi, `$1${BREAK}.`);
}
