import { CHECK_RUN_TEXT_LIMIT, clampMarkdown, inlineCode, tableCell } from "../../src/common/markdown.js";

/**
 * Reads `span` as a CommonMark code span: the opening backtick run must be closed by the first later run of the
 * same length, and that run must be the end of the string. Returns the displayed content (one padding space
 * stripped from each side when both are present).
 */
function codeSpanContent(span: string): string {
  const fence = /^`+/.exec(span)?.[0];
  if (!fence) throw new Error(`not a code span: ${span}`);
  const runs = [...span.slice(fence.length).matchAll(/`+/g)];
  const closing = runs.find((run) => run[0].length === fence.length);
  if (!closing || closing.index + fence.length + closing[0].length !== span.length) {
    throw new Error(`the code span closes before its end: ${span}`);
  }
  const inner = span.slice(fence.length, -fence.length);
  return inner.startsWith(" ") && inner.endsWith(" ") && inner.trim() !== "" ? inner.slice(1, -1) : inner;
}

describe("inlineCode", () => {
  it("wraps plain text in single backticks", () => {
    expect(inlineCode("feature/PAY-12")).toBe("`feature/PAY-12`");
  });

  it.each([
    ["one backtick inside", "a`b", "``a`b``"],
    ["a run of three inside", "x```y", "````x```y````"],
    ["runs of different lengths", "a`b``c", "```a`b``c```"],
  ])("text with backticks cannot break out: the fence is longer than any inner run (%s)", (_case, text, expected) => {
    expect(inlineCode(text)).toBe(expected);
    expect(codeSpanContent(inlineCode(text))).toBe(text);
  });

  it("text starting or ending with a backtick is padded so the fence stays separate", () => {
    expect(inlineCode("`rm -rf`")).toBe("`` `rm -rf` ``");
    expect(codeSpanContent(inlineCode("`rm -rf`"))).toBe("`rm -rf`");
    expect(codeSpanContent(inlineCode("ends with`"))).toBe("ends with`");
    expect(codeSpanContent(inlineCode("``"))).toBe("``");
  });

  it.each(["` <script>alert(1)</script> `", "x` @octocat [link](https://evil.example) `y", "````", "a\n`\nb"])(
    "user text %j is displayed exactly, inside one code span",
    (text) => {
      const span = inlineCode(text);

      expect(codeSpanContent(span)).toBe(text.replace(/\n/g, " "));
      expect(span).not.toMatch(/[\r\n]/);
    },
  );

  it("line breaks are replaced by a space", () => {
    expect(inlineCode("line one\r\nline two\nthree\r\r\nfour")).toBe("`line one line two three four`");
  });

  it("long text is truncated to 200 characters and marked with …", () => {
    const span = inlineCode("a".repeat(250));

    expect(span).toBe(`\`${"a".repeat(200)}…\``);
  });

  it("text of exactly 200 characters is kept whole", () => {
    expect(inlineCode("b".repeat(200))).toBe(`\`${"b".repeat(200)}\``);
  });

  it("truncation cannot leave the span open: the fence is chosen after truncating", () => {
    const text = `${"a".repeat(199)}${"`".repeat(5)}`;
    const span = inlineCode(text);

    expect(codeSpanContent(span)).toBe(`${"a".repeat(199)}\`…`);
  });
});

describe("tableCell", () => {
  it("pipes are escaped so GFM does not split the cell", () => {
    expect(tableCell("a | b || c")).toBe("a \\| b \\|\\| c");
  });

  it("a backslash before a pipe cannot un-escape it (GFM would split the cell there)", () => {
    expect(tableCell("a \\| b")).toBe("a \\\\| b");
  });

  it("pipes inside a code span are escaped too (GFM splits cells before reading code spans)", () => {
    expect(tableCell("`x|y`")).toBe("`x\\|y`");
  });

  it("line breaks become one space, keeping the row on one line", () => {
    expect(tableCell("one\ntwo\r\n\r\nthree")).toBe("one two three");
  });

  it("text without pipes or line breaks is unchanged", () => {
    expect(tableCell("Base branch `main` is protected.")).toBe("Base branch `main` is protected.");
  });
});

describe("clampMarkdown", () => {
  it("text under the limit is unchanged", () => {
    expect(clampMarkdown("short", 10)).toBe("short");
  });

  it("text exactly at the limit is unchanged", () => {
    const text = "x".repeat(CHECK_RUN_TEXT_LIMIT);

    expect(clampMarkdown(text)).toBe(text);
  });

  it("text over GitHub's limit is cut to exactly the limit and says it was truncated", () => {
    const text = "y".repeat(CHECK_RUN_TEXT_LIMIT + 1000);

    const clamped = clampMarkdown(text);

    expect(Buffer.byteLength(clamped)).toBe(CHECK_RUN_TEXT_LIMIT); // bytes: the notice's ellipsis is 3 of them
    expect(clamped.endsWith("\n\n… (output truncated to GitHub's size limit)")).toBe(true);
    expect(text.startsWith(clamped.slice(0, clamped.indexOf("\n\n…")))).toBe(true);
  });

  it("honours a smaller limit", () => {
    const clamped = clampMarkdown("z".repeat(500), 100);

    expect(Buffer.byteLength(clamped)).toBe(100);
    expect(clamped).toMatch(/^z+\n\n… \(output truncated to GitHub's size limit\)$/);
  });

  it("GitHub's limit is 65,535 characters", () => {
    expect(CHECK_RUN_TEXT_LIMIT).toBe(65_535);
  });
});

describe("truncation never splits a character", () => {
  it("inlineCode cuts long text at a code point, not inside an emoji", () => {
    const code = inlineCode("a".repeat(199) + "😀😀");
    expect(code).toBe("`" + "a".repeat(199) + "😀…`");
  });

  it("clampMarkdown does not leave half a surrogate pair at the cut", () => {
    const clamped = clampMarkdown("😀".repeat(40_000));
    expect(clamped.length).toBeLessThanOrEqual(CHECK_RUN_TEXT_LIMIT);
    expect(clamped).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});
