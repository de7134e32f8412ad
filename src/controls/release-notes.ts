import { inlineCode } from "../report/markdown.js";
import type { TagSnapshot } from "./ref-types.js";
import { fail, pass, type Finding } from "./types.js";

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
