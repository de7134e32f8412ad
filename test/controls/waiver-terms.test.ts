import { fetched, unavailable } from "../../src/facts/fetched.js";
import { expiryOf, headSinceOf, visibleLength } from "../../src/controls/waiver-terms.js";

const HEAD = "abc1234def5678900000000000000000000000000";
const NOW = "2026-11-20T12:00:00Z";

describe("waiver terms", () => {
  it.each([
    ["plain text", "Hotfix for INC-77", 17],
    ["zero-width spaces", "\u200b".repeat(25), 0],
    ["a bidi override and joiners around text", "\u202eab\u200dc\u2060", 3],
    ["control characters", "a\u0000b\u0007c", 3],
    ["a run of spaces counts once", "a      b", 3],
    ["Hangul fillers and braille blanks", "\u3164\u2800\u115f", 0],
    ["an emoji with a skin tone is one", "👍🏽", 1],
  ])("%s: %i visible characters", (_case, text, length) => {
    expect(visibleLength(text)).toBe(length);
  });

  it("a justification as long as a comment may be (65,536 characters) is counted in bounded memory", () => {
    // Segmenting it whole made V8 copy the text into every segment: gigabytes, and the app ran out of memory.
    expect(visibleLength("x".repeat(65_536))).toBe(65_536);
    expect(visibleLength("👍🏽".repeat(16_384))).toBeGreaterThanOrEqual(16_384);
  });

  it.each([
    ["no run on the head yet: the head is new now", null, fetched([]), [], fetched(NOW)],
    [
      "GitHub could not say whether there is a run",
      undefined,
      fetched([]),
      [],
      unavailable("GitHub did not say whether sdlc-guard has evaluated the head commit `abc1234` before"),
    ],
    [
      "our run, no force push since: since the run was created",
      { startedAt: "2026-11-20T09:00:00Z" },
      fetched([{ at: "2026-11-20T08:00:00Z", actor: "a", afterSha: "x" }]),
      [],
      fetched("2026-11-20T09:00:00Z"),
    ],
    [
      "a later force push to the head: since that push",
      { startedAt: "2026-11-20T09:00:00Z" },
      fetched([{ at: "2026-11-20T10:00:00Z", actor: "a", afterSha: HEAD }]),
      [],
      fetched("2026-11-20T10:00:00Z"),
    ],
    [
      "a later force push elsewhere, head back by a plain push: unknown",
      { startedAt: "2026-11-20T09:00:00Z" },
      fetched([{ at: "2026-11-20T10:00:00Z", actor: "a", afterSha: "x" }]),
      [],
      unavailable("the head branch was force-pushed after sdlc-guard first saw `abc1234`, which is the head again"),
    ],
    [
      "the head is shared with another PR: unknown",
      { startedAt: "2026-11-20T09:00:00Z" },
      fetched([]),
      [8],
      unavailable("the head commit `abc1234` is also the head of #8"),
    ],
    [
      "the timeline could not be read: unknown",
      { startedAt: "2026-11-20T09:00:00Z" },
      unavailable("HTTP 502"),
      [],
      unavailable("the force pushes of the head branch could not be read: HTTP 502"),
    ],
  ] as const)("%s", (_case, run, forcePushes, shared, expected) => {
    expect(headSinceOf(HEAD, run, forcePushes as never, shared, NOW)).toEqual(expected);
  });

  it("a waiver expires whole days after it was given", () => {
    expect(expiryOf("2026-11-20T09:00:01Z", 14)).toBe("2026-12-04T09:00:01Z");
  });
});
