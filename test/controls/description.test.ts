import { configSchema, defaultConfig, type DescriptionConfig } from "../../src/config/schema.js";
import { evaluateDescription, normalizeHeading } from "../../src/controls/description.js";
import { pullRequestSnapshot } from "../support/snapshot.js";

const descriptionConfig = (settings: Record<string, unknown> = {}): DescriptionConfig =>
  configSchema.parse({ controls: { description: settings } }).controls.description;

const evaluate = (body: string, settings: Record<string, unknown> = {}) =>
  evaluateDescription(pullRequestSnapshot({ body }), descriptionConfig(settings));

/** The PR template a team would commit: every section holds only an HTML-comment placeholder. */
const TEMPLATE = [
  "## Description",
  "<!-- What does this change do, and why? -->",
  "",
  "## Testing",
  "<!--",
  "  How was it tested? Unit tests, manual steps...",
  "-->",
  "",
  "## Security considerations",
  "<!-- Secrets, authentication, input validation, new dependencies? -->",
  "",
].join("\n");

const FILLED = [
  "## Description",
  "Adds refunds to the payments API.",
  "",
  "## Testing",
  "Unit tests for the refund service; tried it against the sandbox.",
  "",
  "## Security considerations",
  "Refunds require the `payments:refund` scope.",
].join("\n");

describe("description: the PR body documents the change, how it was tested and its security considerations", () => {
  it("is advisory by default and asks for Description, Testing and Security considerations", () => {
    expect(defaultConfig.controls.description).toEqual({
      enforcement: "advisory",
      sections: ["Description", "Testing", "Security considerations"],
    });
  });

  it("a body with every section filled in passes, listing the sections", () => {
    expect(evaluate(FILLED)).toEqual({
      outcome: "pass",
      reason: "The PR description has the sections `Description`, `Testing`, `Security considerations`.",
      fix: "",
      notes: undefined,
    });
  });

  it("a PR body from the unfilled template has empty sections", () => {
    const result = evaluate(TEMPLATE);
    expect(result.outcome).toBe("fail");
    expect(result.reason).toBe(
      "Empty section(s), with no text other than template comments: `Description`, `Testing`, `Security considerations`.",
    );
    expect(result.reason).not.toMatch(/missing/i);
    expect(result.fix).toBe(
      "Edit the PR description: write some text under `Description`, `Testing`, `Security considerations` (HTML comments from the template do not count).",
    );
  });

  it("an empty body has every section missing", () => {
    const result = evaluate("  \n");
    expect(result.outcome).toBe("fail");
    expect(result.reason).toBe("The PR description is empty; missing section(s): `Description`, `Testing`, `Security considerations`.");
    expect(result.fix).toBe(
      "Edit the PR description: add a heading for `Description`, `Testing`, `Security considerations` (e.g. `## Description`) followed by some text.",
    );
  });

  it("missing and empty sections are listed separately, and the fix covers both", () => {
    const result = evaluate("## Description\nAdds refunds.\n\n## Testing\n<!-- how? -->\n");
    expect(result.outcome).toBe("fail");
    expect(result.reason).toBe(
      "Missing section(s): `Security considerations`; empty section(s), with no text other than template comments: `Testing`.",
    );
    expect(result.fix).toBe(
      "Edit the PR description: add a heading for `Security considerations` (e.g. `## Security considerations`) followed by some text, and write some text under `Testing` (HTML comments from the template do not count).",
    );
  });

  it("text without any heading does not count as the sections", () => {
    const result = evaluate("Adds refunds. Tested locally. No security impact.");
    expect(result.outcome).toBe("fail");
    expect(result.reason).toBe("Missing section(s): `Description`, `Testing`, `Security considerations`.");
  });

  describe("what counts as a heading", () => {
    it.each([
      ["headings match case-insensitively", "## DESCRIPTION\na\n## testing\nb\n## Security Considerations\nc"],
      ["any ATX level counts", "# Description\na\n#### Testing\nb\n###### Security considerations\nc"],
      ["a trailing colon and extra spaces are ignored", "## Description:\na\n##   Testing  :\nb\n## Security   considerations:\nc"],
      ["an ATX closing sequence is ignored", "## Description ##\na\n## Testing #\nb\n## Security considerations ###\nc"],
      ["up to three spaces of indentation", "   ## Description\na\n ## Testing\nb\n  ## Security considerations\nc"],
      ["setext headings (=== and ---)", "Description\n===========\na\n\nTesting\n-------\nb\n\nSecurity considerations\n---\nc"],
      ["a line that is only bold text, as PR templates write them", "**Description**\na\n**Testing:**\nb\n__Security considerations__:\nc"],
      ["a bold ATX heading", "## **Description**\na\n## **Testing:**\nb\n## Security considerations\nc"],
      [
        "a bold label with the text on the same line",
        "**Description:** adds refunds\n**Testing**: unit tests\n**Security considerations:** none",
      ],
      ["Windows line endings", "## Description\r\na\r\n## Testing\r\nb\r\n## Security considerations\r\nc\r\n"],
      ["a multi-line setext heading reads as one heading", "## Description\na\n\nSecurity\nconsiderations\n---\nc\n## Testing\nb"],
    ])("%s", (_name, body) => {
      const result = evaluate(body);
      expect(result.outcome).toBe("pass");
      expect(result.reason).toBe("The PR description has the sections `Description`, `Testing`, `Security considerations`.");
    });

    it.each([
      ["seven #'s", "####### Testing\nran"],
      ["no space after the #'s", "##Testing\nran"],
      ["four spaces of indentation (a code block)", "    ## Testing\nran"],
      ["inside a list item", "- ## Testing\nran"],
      ["a heading with other words", "## Testing notes\nran"],
      ["a # that is part of the text, not a closing sequence", "## Testing#\nran"],
      ["italic text", "*Testing*\nran"],
      ["bold text followed by other words", "**Testing** was done\nran"],
      ["a setext underline after a blank line (a thematic break)", "\nTesting\n\n---\nran"],
      ["a setext underline under a list item", "- Testing\n---\nran"],
      ["the heading inside a fenced code block", "```markdown\n## Testing\nran\n```"],
      ["the heading inside a tilde fence", "~~~\n## Testing\n~~~"],
      ["the heading inside an HTML comment", "<!--\n## Testing\nran\n-->"],
      ["the heading after an HTML comment on the same line", "<!-- x --> ## Testing\nran"],
    ])("not a heading: %s", (_name, body) => {
      const result = evaluate(body, { sections: ["Testing"] });
      expect(result.outcome).toBe("fail");
      expect(result.reason).toBe("Missing section(s): `Testing`.");
    });

    it("a fence is closed only by a fence of the same character at least as long", () => {
      const body = "````\n```\n## Testing\n~~~~\n````\n## Testing\nran";
      expect(evaluate(body, { sections: ["Testing"] }).outcome).toBe("pass");
      expect(evaluate("````\n```\n## Testing\nran", { sections: ["Testing"] }).reason).toBe("Missing section(s): `Testing`.");
    });

    it("a backtick run with backticks after it on the line is inline code, not a fence", () => {
      expect(evaluate("```not a fence```\n## Testing\nran", { sections: ["Testing"] }).outcome).toBe("pass");
    });

    it("an unclosed fence hides the rest of the body", () => {
      expect(evaluate("## Description\n```\ncode\n## Testing\nran", { sections: ["Description", "Testing"] }).reason).toBe(
        "Missing section(s): `Testing`.",
      );
    });

    it("normalizes headings: whitespace collapsed, trailing colon and bold markers dropped, lower case", () => {
      expect(normalizeHeading("  Security \t considerations :  ")).toBe("security considerations");
      expect(normalizeHeading("**Testing:**")).toBe("testing");
      expect(normalizeHeading("__Testing__:")).toBe("testing");
      expect(normalizeHeading("****")).toBe("****");
    });

    it("configured names are normalized too, and duplicates count once", () => {
      const result = evaluate("## Testing\nran", { sections: ["Testing:", "  testing ", "TESTING"] });
      expect(result.outcome).toBe("pass");
      expect(result.reason).toBe("The PR description has the sections `Testing:`.");
    });

    it("custom sections are used instead of the defaults", () => {
      const result = evaluate("## Rollback plan\nRevert the PR.", { sections: ["Rollback plan", "Risk"] });
      expect(result.outcome).toBe("fail");
      expect(result.reason).toBe("Missing section(s): `Risk`.");
    });

    it("no configured sections passes", () => {
      expect(evaluateDescription(pullRequestSnapshot({ body: "" }), { enforcement: "advisory", sections: [] })).toEqual({
        outcome: "pass",
        reason: "No description sections configured.",
        fix: "",
        notes: undefined,
      });
    });
  });

  describe("what counts as text in a section", () => {
    it.each([
      ["a single-line HTML comment", "## Testing\n<!-- how was it tested? -->\n## Risk\nlow"],
      ["a multi-line HTML comment", "## Testing\n<!--\nhow was it tested?\n\n## Not a heading\n-->\n## Risk\nlow"],
      ["several comments on one line", "## Testing\n<!-- a --> <!-- b -->\t\n## Risk\nlow"],
      ["whitespace only", "## Testing\n   \n\t\n## Risk\nlow"],
      ["nothing before the next heading", "## Testing\n## Risk\nlow"],
      ["a thematic break", "## Testing\n\n---\n***\n_ _ _\n\n## Risk\nlow"],
      ["an empty fenced code block", "## Testing\n```\n\n```\n## Risk\nlow"],
      ["a setext underline that ends the section", "## Testing\n\nRisk\n----\nlow"],
      ["a bold-line heading, which ends any section", "## Testing\n<!-- how? -->\n**Checklist**\n- [ ] tests added\n## Risk\nlow"],
      ["a bold label whose inline text is only a comment", "**Testing:** <!-- how? -->\n**Risk:** low"],
      ["a deeper sub-heading that is itself a configured section", "## Testing\n<!-- how? -->\n### Risk\nlow"],
      ["the heading at the very end", "## Risk\nlow\n## Testing"],
      ["text under an empty heading (`## ##`) that ends the section", "## Testing\n## ##\nnotes\n## Risk\nlow"],
    ])("empty: %s", (_name, body) => {
      const result = evaluate(body, { sections: ["Testing", "Risk"] });
      expect(result.outcome).toBe("fail");
      expect(result.reason).toBe("Empty section(s), with no text other than template comments: `Testing`.");
    });

    it.each([
      ["text after a template comment", "## Testing\n<!-- how? -->\nRan the unit tests."],
      ["text on the line of a comment", "## Testing\n<!-- how? --> Ran the unit tests."],
      ["text after a multi-line comment closes", "## Testing\n<!--\nhow?\n--> Ran the unit tests."],
      ["a list", "## Testing\n- [x] unit tests"],
      ["a fenced code block", "## Testing\n```\nnpm test\n```"],
      ["text under a deeper sub-heading", "## Testing\n### Unit tests\n- refund service"],
      ["a bold label with inline text", "**Testing:** ran the suite"],
      ["a repeated section, one of them filled", "## Testing\n<!-- how? -->\n## Testing\nRan it."],
      ["text under a bold heading in an ATX section", "**Testing**\nran\n## Other\n"],
    ])("filled: %s", (_name, body) => {
      const result = evaluate(body, { sections: ["Testing"] });
      expect(result.outcome).toBe("pass");
      expect(result.reason).toBe("The PR description has the sections `Testing`.");
    });

    it("text of a higher-level heading's section does not fill a lower-level one", () => {
      const result = evaluate("### Testing\n## Background\nLong story.", { sections: ["Testing"] });
      expect(result.outcome).toBe("fail");
      expect(result.reason).toBe("Empty section(s), with no text other than template comments: `Testing`.");
    });

    it("an unclosed comment hides the rest of the body", () => {
      const result = evaluate("## Testing\n<!-- how?\nRan it.\n## Risk\nlow", { sections: ["Testing", "Risk"] });
      expect(result.outcome).toBe("fail");
      expect(result.reason).toBe("Missing section(s): `Risk`; empty section(s), with no text other than template comments: `Testing`.");
    });
  });

  it("section names are shown as code, so Markdown in them cannot break the report", () => {
    const result = evaluate("", { sections: ["`Risk` | *bold*"] });
    expect(result.reason).toContain("`` `Risk` | *bold* ``");
  });

  it("stays fast on a hostile body (linear-time parsing)", () => {
    const hostile = [
      `## ${"# ".repeat(20_000)}x`,
      `**${"a".repeat(20_000)}* `,
      `<!--${"<!--".repeat(10_000)}`,
      "-->",
      `-${" -".repeat(20_000)}x`,
      `## Testing${" ".repeat(20_000)}x`,
      ...Array.from({ length: 5_000 }, (_, i) => "#".repeat((i % 6) + 1) + " Testing"),
    ].join("\n");
    const started = Date.now();
    const result = evaluate(hostile, { sections: ["Testing"] });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(result.outcome).toBe("fail");
    expect(result.reason).toBe("Empty section(s), with no text other than template comments: `Testing`.");
  });
});
