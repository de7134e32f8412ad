import type { SdlcGuardConfig } from "../config/schema.js";
import { evaluateDirectPush } from "./direct-push.js";
import { controlRow as row } from "./evaluate-pull-request-controls.js";
import { evaluateForcePush } from "./force-push.js";
import { evaluatePushedMergeVerdicts } from "./merged-unverified.js";
import type { PushSnapshot, TagSnapshot } from "./ref-types.js";
import { evaluateReleaseNotes } from "./release-notes.js";
import { evaluateReleaseTag } from "./release-tag.js";
import { evaluateSignedRelease } from "./signed-release.js";
import type { ControlResult } from "./types.js";

/** The controls of a push to the default or a protected branch, in the order of the control catalogue. */
export function evaluatePushControls(push: PushSnapshot, config: SdlcGuardConfig): ControlResult[] {
  return [
    row("merged-unverified", config, () => evaluatePushedMergeVerdicts(push)),
    row("direct-push", config, () => evaluateDirectPush(push, config.controls["direct-push"])),
    row("force-push", config, () => evaluateForcePush(push)),
  ];
}

/** The controls of a tag, and of a published release (`release-notes` only then), in catalogue order. */
export function evaluateTagControls(tag: TagSnapshot, config: SdlcGuardConfig): ControlResult[] {
  const results = [
    row("release-tag", config, () => evaluateReleaseTag(tag, config.controls["release-tag"])),
    row("signed-release", config, () => evaluateSignedRelease(tag)),
  ];
  if (tag.release) results.push(row("release-notes", config, () => evaluateReleaseNotes(tag)));
  return results;
}
