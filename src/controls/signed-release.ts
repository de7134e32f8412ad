import { z } from "zod";
import { enforcementSchema, reportSchema } from "../config/schema-parts.js";
import { tagControl } from "./control.js";
import { inlineCode } from "../common/markdown.js";
import type { TagSnapshot } from "../facts/refs.js";
import { cannotEvaluate, fail, pass, type Finding } from "./finding.js";

const SIGN_FIX =
  'Replace it with a signed annotated tag: `git tag -s vX.Y.Z -m "Release vX.Y.Z"` with a GPG, SSH or S/MIME key registered on the signer\'s GitHub account (and the tagger email verified there), then push it (`git push --force origin vX.Y.Z`).';

/** `signed-release` (ENT 2.3 "releases are cryptographically signed"): an annotated tag whose signature GitHub verifies. */
export function evaluateSignedRelease(tag: TagSnapshot): Finding {
  const name = inlineCode(tag.name);
  if (tag.commitSha === null) {
    return fail(
      `Tag ${name} does not exist on GitHub, so there is no signature to verify.`,
      "Push the signed tag (`git push origin <tag>`).",
    );
  }
  if (!tag.annotated) return fail(`Tag ${name} is a lightweight tag: a lightweight tag carries no signature.`, SIGN_FIX);
  if (!tag.signature.ok) return cannotEvaluate(`the signature verification of tag ${name}`, tag.signature.error);
  const signature = tag.signature.value;
  // An annotated tag always has a verification object; without one there is nothing verified.
  if (signature === null) return fail(`Tag ${name} is annotated but GitHub reports no signature verification for it.`, SIGN_FIX);
  if (signature.verified) return pass(`Tag ${name} is signed and GitHub verified the signature.`);
  return fail(`GitHub does not verify the signature of tag ${name}: ${inlineCode(signature.reason)}.`, SIGN_FIX);
}

const settings = z
  .strictObject({
    enforcement: enforcementSchema.default("advisory"),
    report: reportSchema.default("check"),
  })
  .describe("`signed-release`: a release tag is an annotated tag whose signature GitHub verifies (ENT 2.3).");

export const signedReleaseControl = tagControl({
  id: "signed-release",
  family: "tag",
  settings,
  triggers: ["push", "create", "release"],
  violationIssue: {
    title: "sdlc-guard: unsigned release tags",
    intro:
      "ENT 2.3: releases are cryptographically signed. Each comment below is a release tag without a signature GitHub verifies. Sign release tags (`git tag -s`) with a key registered on GitHub, then close this issue.",
  },
  evaluate: (tag) => evaluateSignedRelease(tag),
});
