import { z } from "zod";
import { enforcementSchema, reportSchema } from "../config/schema-parts.js";
import { tagControl } from "./control.js";
import { inlineCode } from "../common/markdown.js";
import type { TagSnapshot } from "../facts/refs.js";
import { fail, pass, type Finding } from "./finding.js";

/** `release-notes` (ECO 3.2 "document changes in release notes"): a published release has notes. */
export function evaluateReleaseNotes(tag: TagSnapshot): Finding {
  if (!tag.release) return pass("Not a release: no notes expected.");
  const name = inlineCode(tag.release.tagName);
  const notes = tag.release.notes.trim();
  if (notes === "") {
    return fail(
      `Release ${name} has no release notes.`,
      'Edit the release and describe the changes in its notes, or use GitHub\'s "Generate release notes".',
    );
  }
  return pass(`Release ${name} has release notes (${Array.from(notes).length} characters).`);
}

const settings = z
  .strictObject({
    enforcement: enforcementSchema.default("advisory"),
    report: reportSchema.default("check"),
  })
  .describe("`release-notes`: a published release has non-empty notes (ECO 3.2).");

export const releaseNotesControl = tagControl({
  id: "release-notes",
  family: "release",
  settings,
  triggers: ["release"],
  violationIssue: {
    title: "sdlc-guard: releases without notes",
    intro:
      "ECO 3.2: document changes in release notes. Each comment below is a published release with empty notes. Edit the release to describe its changes, then close this issue.",
  },
  evaluate: (tag) => evaluateReleaseNotes(tag),
});
