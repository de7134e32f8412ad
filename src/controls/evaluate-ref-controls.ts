import type { SdlcGuardConfig } from "../config/schema.js";
import type { PushSnapshot, TagSnapshot } from "../facts/refs.js";
import { PUSH_CONTROLS, RELEASE_CONTROLS, TAG_CONTROLS } from "./catalogue.js";
import { controlRow, type ControlResult } from "./results.js";

/** The controls of a push to the default or a protected branch, in the order of the control catalogue. */
export function evaluatePushControls(push: PushSnapshot, config: SdlcGuardConfig): ControlResult[] {
  return PUSH_CONTROLS.map((control) => controlRow(control.id, config, () => control.evaluate(push, config.controls[control.id] as never)));
}

/** The controls of a tag, and of a published release (the release controls only then), in catalogue order. */
export function evaluateTagControls(tag: TagSnapshot, config: SdlcGuardConfig): ControlResult[] {
  const controls = tag.release ? [...TAG_CONTROLS, ...RELEASE_CONTROLS] : TAG_CONTROLS;
  return controls.map((control) => controlRow(control.id, config, () => control.evaluate(tag, config.controls[control.id] as never)));
}
