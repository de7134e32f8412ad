import { readerVisibleText } from "../../src/controls/reader-visible-text.js";

describe("readerVisibleText: the text a reader of the rendered Markdown sees", () => {
  it.each([
    ["an HTML comment is hidden", "before <!-- e.g. PAY-123 --> after", "before  after"],
    ["a comment over several lines is hidden, line for line", "a <!-- one\ntwo\nthree --> b", "a \n\n b"],
    ["a code span is hidden", "see `PAY-1` here", "see   here"],
    ["a code span of two backticks may hold one", "x ``a ` PAY-1`` y", "x   y"],
    ["a code span across lines of one paragraph is hidden", "a `PAY-1\nPAY-2` b", "a  \n  b"],
    ["an unmatched backtick is literal", "a ` PAY-1", "a ` PAY-1"],
    ["a blank line ends the search for a closing backtick", "a ` PAY-1\n\nb ` c", "a ` PAY-1\n\nb ` c"],
    ["an escaped backtick opens no span", "a \\` PAY-1 `", "a \\` PAY-1 `"],
    ["a backtick fence is hidden", "a\n```\nPAY-1\n```\nb", "a\n\n\n\nb"],
    ["a tilde fence is hidden", "a\n~~~ text\nPAY-1\n~~~\nb", "a\n\n\n\nb"],
    ["a longer fence is closed only by one at least as long", "````\n```\nPAY-1\n````\nb", "\n\n\n\nb"],
    ["an unclosed fence hides the rest", "a\n```\nPAY-1", "a\n\n"],
    ["an indented code block after a blank line is hidden", "a\n\n    PAY-1\n\nb", "a\n\n\n\nb"],
    ["an indented line continuing a paragraph is text", "a\n    PAY-1", "a\n    PAY-1"],
    ["an indented line in a list item is text", "- item\n\n    PAY-1", "- item\n\n    PAY-1"],
    ["a comment inside a code span is code, not a comment", "`<!--` PAY-1", "  PAY-1"],
    ["a comment inside a fence is code", "```\n<!--\n```\nPAY-1", "\n\n\nPAY-1"],
    ["a fence inside a comment is part of the comment", "<!--\n```\n-->\nPAY-1", "\n\n\nPAY-1"],
    ["Windows line ends are kept", "a\r\n<!-- x -->\r\nb", "a\r\n\r\nb"],
  ])("%s", (_name, markdown, visible) => {
    expect(readerVisibleText(markdown)).toBe(visible);
  });

  it("keepCode keeps code (the description control counts a code block as text) but still hides comments", () => {
    expect(readerVisibleText("a <!-- x --> `<!-- y -->`\n```\n<!-- z -->\n```", { keepCode: true })).toBe(
      "a  `<!-- y -->`\n```\n<!-- z -->\n```",
    );
  });

  it("inlineOnly reads a title: no fences or indented code, comments and code spans still hidden", () => {
    expect(readerVisibleText("    PAY-1 `OPS-2` <!-- OPS-3 -->", { inlineOnly: true })).toBe("    PAY-1   ");
  });
});
