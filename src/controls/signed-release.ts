import { inlineCode } from "../report/markdown.js";
import type { TagSnapshot } from "./ref-types.js";
import { cannotEvaluate, fail, pass, type Finding } from "./types.js";

const SIGN_FIX =
  'Replace it with a signed annotated tag: `git tag -s vX.Y.Z -m "Release vX.Y.Z"` with a GPG, SSH or S/MIME key registered on the signer\'s GitHub account (and the tagger email verified there), then push it (`git push --force origin vX.Y.Z`).';

/** `signed-release` (ENT 2.3 "releases are cryptographically signed"): an annotated tag whose signature GitHub verifies. */
export function evaluateSignedRelease(tag: TagSnapshot): Finding {
  const name = inlineCode(tag.name);
  if (tag.commitSha === null) {
    return fail(`Tag ${name} does not exist on GitHub, so there is no signature to verify.`, "Push the signed tag (`git push origin <tag>`).");
  }
  if (!tag.annotated) return fail(`Tag ${name} is a lightweight tag: a lightweight tag carries no signature.`, SIGN_FIX);
  if (!tag.signature.ok) return cannotEvaluate(`the signature verification of tag ${name}`, tag.signature.error);
  const signature = tag.signature.value;
  // An annotated tag always has a verification object; without one there is nothing verified.
  if (signature === null) return fail(`Tag ${name} is annotated but GitHub reports no signature verification for it.`, SIGN_FIX);
  if (signature.verified) return pass(`Tag ${name} is signed and GitHub verified the signature.`);
  return fail(`GitHub does not verify the signature of tag ${name}: ${inlineCode(signature.reason)}.`, SIGN_FIX);
}
