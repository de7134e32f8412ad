import { defaultConfig } from "../../src/config/schema.js";
import { evaluateTagControls } from "../../src/controls/evaluate-ref-controls.js";
import type { ReleaseFacts } from "../../src/facts/refs.js";
import { evaluateReleaseNotes } from "../../src/controls/release-notes.js";
import { tagSnapshot } from "../support/ref-snapshots.js";

const release = (notes: string): ReleaseFacts => ({ tagName: "v1.4.0", name: "1.4.0", notes, isDraft: false, isPrerelease: false });

const NOTES_FIX = 'Edit the release and describe the changes in its notes, or use GitHub\'s "Generate release notes".';

describe("release-notes: a published release has non-empty notes", () => {
  it("is advisory by default and reported in the check run", () => {
    expect(defaultConfig.controls["release-notes"]).toEqual({ enforcement: "advisory", report: "check" });
  });

  it("a release with notes passes, with their length", () => {
    expect(evaluateReleaseNotes(tagSnapshot({ release: release("  ## Changes\n- Refunds ✓\n") }))).toEqual({
      outcome: "pass",
      reason: "Release `v1.4.0` has release notes (22 characters).",
      fix: "",
      notes: undefined,
    });
  });

  it.each([
    ["empty", ""],
    ["whitespace only", " \n\t \n"],
  ])("a release without notes is an advisory finding (%s)", (_name, notes) => {
    const tag = tagSnapshot({ release: release(notes) });
    expect(evaluateReleaseNotes(tag)).toEqual({
      outcome: "fail",
      reason: "Release `v1.4.0` has no release notes.",
      fix: NOTES_FIX,
      notes: undefined,
    });
    expect(evaluateTagControls(tag, defaultConfig).find((r) => r.id === "release-notes")).toMatchObject({
      enforcement: "advisory",
      outcome: "fail",
    });
  });

  it("a tag that is not a release expects no notes", () => {
    expect(evaluateReleaseNotes(tagSnapshot())).toMatchObject({ outcome: "pass", reason: "Not a release: no notes expected." });
  });
});
