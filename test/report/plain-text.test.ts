import fc from "fast-check";
import { applyWaivers, refusalOf, type WaiverContext } from "../../src/controls/waivers.js";
import { configSchema } from "../../src/config/schema.js";
import type { ControlResult } from "../../src/controls/results.js";
import { inlineCode } from "../../src/common/markdown.js";
import { plainText } from "../../src/common/plain-text.js";
import { liveMarkup } from "../support/live-markup.js";

const HOSTILE = [
  "@acme/everyone",
  "@octocat",
  "#1",
  "acme/payments#12",
  "GH-7",
  "https://evil.example",
  "http://x.y/z",
  "www.evil.example",
  "</details>",
  "<img src=x>",
  "<!-- x -->",
  "[x](https://y)",
  "![i](https://y)",
  "<https://z>",
  "&#64;user",
  "`code`",
  "**bold**",
  "_em_",
  "~~s~~",
  "\\",
  "a@b.example",
  "\n",
  "|",
];
const hostileText = fc
  .array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 6 }), fc.string({ unit: "grapheme", maxLength: 4 })), {
    maxLength: 12,
  })
  .map((parts) => parts.join(" ").replace(/\u200B/g, ""));

/** What a reader sees of plainText's output: escapes and zero-width spaces gone. */
const asRead = (rendered: string) => rendered.replace(/\\([!-/:-@[-`{-~])/g, "$1").replace(/\u200B/g, "");

describe("plainText: user text shown in Markdown mentions, links and references nothing", () => {
  it.each([
    ["a team mention", "cc @acme/everyone", "cc @\u200Bacme/everyone"],
    ["an issue reference", "fixes #1 and acme/payments#2", "fixes #\u200B1 and acme/payments#\u200B2"],
    ["a GH- reference", "see GH-12", "see GH\u200B-12"],
    ["a URL", "https://evil.example/x", "https:\u200B//evil.example/x"],
    ["a www. autolink", "www.evil.example", "www\u200B.evil.example"],
    ["an HTML tag", "</details><b>x</b>", "\\</details\\>\\<b\\>x\\</b\\>"],
    ["a Markdown link", "[click](https://x.example)", "\\[click\\](https:\u200B//x.example)"],
    ["an entity", "&#64;octocat", "\\&#\u200B64;octocat"],
    ["line breaks", "one\n\ntwo\r\nthree", "one two three"],
    [
      "ordinary words stay as they are",
      "Hotfix for the card outage; ticket filed after the fact (INC-77)",
      "Hotfix for the card outage; ticket filed after the fact (INC-77)",
    ],
  ])("%s", (_name, text, rendered) => {
    expect(plainText(text)).toBe(rendered);
  });

  it("the checker itself sees each hostile text as live when it is not neutralised", () => {
    for (const text of HOSTILE.filter((t) => !["`code`", "**bold**", "_em_", "~~s~~", "\\", "\n", "|"].includes(t)))
      expect([text, liveMarkup(text).length > 0]).toEqual([text, true]);
    expect(liveMarkup(`see ${inlineCode("@acme/everyone #1 <b>")}`)).toEqual([]);
  });

  it("property: no rendering of arbitrary text contains a live mention, reference, link or HTML, and a reader sees the same words", () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const rendered = plainText(text);
        expect(liveMarkup(rendered)).toEqual([]);
        expect(asRead(rendered)).toBe(text.replace(/\s*[\r\n]+\s*/g, " "));
      }),
      { numRuns: 1000 },
    );
  });

  it("property: inside a waiver's check-run row and in a refusal naming any control, user text stays inert", () => {
    const exceptions = configSchema.parse({ exceptions: { approvers: ["acme/tech-leads"] } }).exceptions;
    const ctx: WaiverContext = { prAuthor: "dev-alice", config: exceptions, approverTeams: new Map(), controls: ["jira", "reviews"] };
    const failing: ControlResult = { id: "jira", enforcement: "required", outcome: "fail", reason: "No Jira issue key.", fix: "Add one." };
    const comment = {
      id: 1,
      url: "https://github.com/acme/payments/pull/7#issuecomment-1",
      author: { login: "lead-lina", bot: false },
      body: "",
      createdAt: "2026-11-20T10:00:00Z",
      edited: false,
    };
    fc.assert(
      fc.property(
        hostileText,
        fc.string({ maxLength: 20 }).map((s) => s.replace(/\s/g, "")),
        (justification, control) => {
          const waiver = { control: "jira" as const, by: "lead-lina", at: "2026-11-20T10:00:00Z", justification, url: comment.url };
          const [row] = applyWaivers([failing], new Map([["jira", waiver]]));
          expect(liveMarkup(row!.reason.replace("Waived by @lead-lina", "Waived by lead-lina"))).toEqual([]);
          const refusal = refusalOf({ kind: "revoke", control: `x${control}` }, comment, ctx);
          expect(refusal).toContain(inlineCode(`x${control}`));
          expect(liveMarkup(refusal!)).toEqual([]);
        },
      ),
      { numRuns: 500 },
    );
  });
});
