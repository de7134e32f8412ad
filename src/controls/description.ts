import { z } from "zod";
import { enforcementSchema } from "../config/schema-parts.js";
import { pullRequestControl } from "./control.js";
import { inlineCode } from "../common/markdown.js";
import { closesFence, openingFence, readerVisibleLines, type Fence } from "./reader-visible-text.js";
import { fail, pass, type Finding } from "./finding.js";
import { type PullRequestFacts } from "../facts/pull-request.js";
import { PULL_REQUEST_CHANGES } from "./trigger.js";

/**
 * The PR body read as Markdown, one line at a time (linear time, no backtracking-prone patterns): headings and the
 * lines that carry visible text. HTML comments (the placeholders of PR templates) and blank lines carry none.
 */
type Block =
  | {
      kind: "heading";
      key: string;
      /** ATX 1-6, setext 1 (===) or 2 (---); a bold-only line has no level and ends (and is ended by) any heading. */
      level: number;
      bold: boolean;
      /** A bold label with text on the same line (`**Testing:** ran the suite`). */
      inlineText: boolean;
    }
  | { kind: "text" };

/** Heading text as compared with the configured names: whitespace collapsed, trailing colon and bold markers dropped, lower case. */
export function normalizeHeading(text: string): string {
  let t = dropColon(text.replace(/\s+/g, " ").trim());
  if (t.length > 4 && ((t.startsWith("**") && t.endsWith("**")) || (t.startsWith("__") && t.endsWith("__"))))
    t = dropColon(t.slice(2, -2).trim());
  return t.toLowerCase();
}

const dropColon = (t: string): string => (t.endsWith(":") ? t.slice(0, -1).trimEnd() : t);

/** The text of an ATX heading (`## Testing ##`), without the optional closing sequence; null when the line is not one. */
function atxHeading(line: string): { level: number; text: string } | null {
  const match = /^ {0,3}(#{1,6})(?:[ \t]|$)/.exec(line);
  if (!match) return null;
  let text = line.slice(match[0].length).trimEnd();
  let hashes = 0;
  while (hashes < text.length && text[text.length - 1 - hashes] === "#") hashes++;
  if (hashes === text.length) text = "";
  else if (hashes > 0 && /[ \t]/.test(text[text.length - 1 - hashes]!)) text = text.slice(0, text.length - hashes);
  return { level: match[1]!.length, text };
}

const SETEXT_UNDERLINE = /^ {0,3}(?:=+|-+)[ \t]*$/;
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const LIST_OR_QUOTE = /^ {0,3}(?:[-+*]|\d{1,9}[.)]|>)(?:[ \t]|$)/;
const BOLD_START = /^ {0,3}(?:\*\*([^*]+)\*\*|__([^_]+)__)(.*)$/;

/** Splits the body into headings and text-bearing lines, skipping fenced code (no headings there) and HTML comments. */
export function readBlocks(body: string, configured: ReadonlySet<string>): Block[] {
  const blocks: Block[] = [];
  let fence: Fence | null = null;
  /** The open paragraph, which a setext underline turns into a heading: where its lines start in `blocks`, and their text. */
  let paragraph: { start: number; lines: string[] } | null = null;
  const heading = (text: string, level: number, bold = false, inlineText = false): void => {
    blocks.push({ kind: "heading", key: normalizeHeading(text), level, bold, inlineText });
  };

  for (const { text: raw, html } of readerVisibleLines(body, { keepCode: true })) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (html) {
      if (line.trim()) blocks.push({ kind: "text" });
      paragraph = null;
      continue;
    }
    if (fence) {
      if (closesFence(line, fence)) fence = null;
      else if (line.trim()) blocks.push({ kind: "text" });
      continue;
    }
    const opened = openingFence(line);
    const atx = opened ? null : atxHeading(line);
    if (opened || atx) {
      if (opened) fence = opened;
      if (atx) heading(atx.text, atx.level);
      paragraph = null;
      continue;
    }
    if (paragraph && SETEXT_UNDERLINE.test(line)) {
      blocks.length = paragraph.start;
      heading(paragraph.lines.join(" "), line.trim().startsWith("=") ? 1 : 2);
      paragraph = null;
      continue;
    }
    if (THEMATIC_BREAK.test(line)) {
      paragraph = null;
      continue;
    }
    const bold = BOLD_START.exec(line);
    if (bold) {
      const label = (bold[1] ?? bold[2])!;
      const rest = bold[3]!.trim();
      if (rest === "" || rest === ":") {
        heading(label, 0, true);
        paragraph = null;
        continue;
      }
      const labelled = label.trimEnd().endsWith(":") || rest.startsWith(":");
      if (labelled && configured.has(normalizeHeading(label))) {
        heading(label, 0, true, (rest.startsWith(":") ? rest.slice(1) : rest).trim() !== "");
        paragraph = null;
        continue;
      }
    }
    if (!line.trim()) {
      paragraph = null;
      continue;
    }
    blocks.push({ kind: "text" });
    if (LIST_OR_QUOTE.test(line)) paragraph = null;
    else if (paragraph) paragraph.lines.push(line.trim());
    else paragraph = { start: blocks.length - 1, lines: [line.trim()] };
  }
  return blocks;
}

type SectionState = "filled" | "empty";

/**
 * For each heading that names a configured section: whether text follows it before its section ends, at the next
 * heading of the same or a higher level, the next configured section or the next bold-line heading. Deeper
 * sub-headings (`### Unit tests` under `## Testing`) belong to the section.
 */
function sectionStates(blocks: Block[], configured: ReadonlySet<string>): Map<string, SectionState> {
  const states = new Map<string, SectionState>();
  blocks.forEach((block, index) => {
    if (block.kind !== "heading" || !configured.has(block.key)) return;
    let filled = block.inlineText;
    for (let i = index + 1; !filled && i < blocks.length; i++) {
      const next = blocks[i]!;
      if (next.kind === "text") filled = true;
      else if (block.bold || next.bold || next.level <= block.level || configured.has(next.key)) break;
    }
    if (filled || !states.has(block.key)) states.set(block.key, filled ? "filled" : "empty");
  });
  return states;
}

const names = (sections: string[]): string => sections.map(inlineCode).join(", ");

export function evaluateDescription(snapshot: PullRequestFacts, config: DescriptionSettings): Finding {
  const wanted = new Map<string, string>();
  for (const section of config.sections) if (!wanted.has(normalizeHeading(section))) wanted.set(normalizeHeading(section), section);
  if (wanted.size === 0) return pass("No description sections configured.");

  const configured = new Set(wanted.keys());
  const states = sectionStates(readBlocks(snapshot.body, configured), configured);
  const missing: string[] = [];
  const empty: string[] = [];
  for (const [key, section] of wanted) {
    const state = states.get(key);
    if (!state) missing.push(section);
    else if (state === "empty") empty.push(section);
  }
  if (missing.length === 0 && empty.length === 0) return pass(`The PR description has the sections ${names([...wanted.values()])}.`);

  const problems = [
    ...(snapshot.body.trim() === "" ? ["The PR description is empty"] : []),
    ...(missing.length ? [`missing section(s): ${names(missing)}`] : []),
    ...(empty.length ? [`empty section(s), with no text other than template comments: ${names(empty)}`] : []),
  ];
  const fixes = [
    ...(missing.length ? [`add a heading for ${names(missing)} (e.g. ${inlineCode(`## ${missing[0]}`)}) followed by some text`] : []),
    ...(empty.length ? [`write some text under ${names(empty)} (HTML comments from the template do not count)`] : []),
  ];
  const reason = problems.join("; ");
  const fix = fixes.join(", and ");
  return fail(`${reason.charAt(0).toUpperCase()}${reason.slice(1)}.`, `Edit the PR description: ${fix}.`);
}

const settings = z
  .strictObject({
    enforcement: enforcementSchema.default("advisory"),
    sections: z
      .array(z.string().trim().min(1).max(100))
      .default(["Description", "Testing", "Security considerations"])
      .describe("Headings the PR body must have, each followed by some text (matched case-insensitively, any heading level)."),
  })
  .describe("`description`: the PR body documents the change, how it was tested and its security considerations.");

export type DescriptionSettings = z.output<typeof settings>;

export const descriptionControl = pullRequestControl({
  id: "description",
  family: "pull-request",
  settings,
  floor: { sections: "union" },
  facts: {},
  triggers: [...PULL_REQUEST_CHANGES, { event: "pull_request.edited", changes: ["body"] }],
  evaluate: ({ snapshot }, settings) => evaluateDescription(snapshot, settings),
});
