import type { z } from "zod";
import type { Enforcement, FloorRule } from "../config/schema-parts.js";
import type { JiraLookups, KeyMatch } from "../facts/jira.js";
import type { OptionalPullRequestFact, PullRequestFacts, TeamMembers } from "../facts/pull-request.js";
import type { DeploymentSnapshot, PushSnapshot, TagSnapshot } from "../facts/refs.js";
import type { Finding } from "./finding.js";
import type { Trigger } from "./trigger.js";

// A control is one place: its file exports one descriptor (id, family, config section, facts, triggers, evaluate),
// and src/controls/catalogue.ts lists the descriptors in the catalogue's order. Every list of controls derives from it.

/** What a control is evaluated on: a pull request, a push to a branch, a tag, a published release, a deployment. */
export type ControlFamily = "pull-request" | "push" | "tag" | "release" | "deployment";

/** A control's section of the configuration (`controls.<id>`): a zod object with `enforcement` and its own keys. */
export type SettingsSchema = z.ZodType<{ enforcement: Enforcement }, Record<string, unknown> | undefined>;

/** The issue that collects a ref control's findings, one comment per occurrence. */
export interface ViolationIssue {
  title: string;
  /** What the policy asks, and how to resolve the issue itself. */
  intro: string;
}

interface ControlCommon<Id extends string, S extends SettingsSchema> {
  id: Id;
  /** `controls.<id>` in `.github/sdlc-guard.yml`: every key with its default and a description. */
  settings: S;
  /**
   * Webhook events (`event` or `event.action`, an `edited` narrowed to the `changes` that matter) whose arrival can
   * change the control's result. A pull-request event no enabled control (and no part of the evaluation) names is not
   * evaluated at all (src/controls/event-relevance.ts), so a trigger left out is a result left stale: when unsure, list it.
   */
  triggers: readonly Trigger[];
  /**
   * How an organisation's `floor:` bounds each key of the settings (src/config/policy-floor.ts); `enforcement` is always
   * at-least. A key not listed has no stricter value and cannot be in a floor.
   */
  floor?: { readonly [K in Exclude<keyof z.output<S>, "enforcement">]?: FloorRule };
  /** CONTROLS.md "off until configured": why the control is off although not turned off, or undefined when it is on. */
  offUntilConfigured?(settings: z.output<S>): string | undefined;
}

/** What the pull-request controls look at: the snapshot (with the facts a control declared), team members, Jira. */
export interface PullRequestEvidence<F extends OptionalPullRequestFact = OptionalPullRequestFact> {
  snapshot: PullRequestFacts<F>;
  /** Members of the teams the controls name (reviewer teams, code-owner teams of the changed files). */
  teams: TeamMembers;
  jiraKeys: KeyMatch[];
  jiraLookups: JiraLookups | undefined;
}

export interface PullRequestControl<
  Id extends string,
  S extends SettingsSchema,
  F extends OptionalPullRequestFact,
  O,
> extends ControlCommon<Id, S> {
  family: "pull-request";
  /**
   * The optional facts of the pull request the control reads, each with when (given its settings) it needs it: the
   * snapshot reads a fact exactly when an enabled control needs it. A fact not declared here is not in `evaluate`'s
   * evidence type, so forgetting one is a type error.
   */
  facts: { readonly [K in F]: (settings: z.output<S>) => boolean };
  /** Pure: the finding from the evidence, the control's settings and the settings of the controls it also reads. */
  evaluate(evidence: PullRequestEvidence<F>, settings: z.output<S>, others: O): Finding;
}

export interface PushControl<Id extends string, S extends SettingsSchema> extends ControlCommon<Id, S> {
  family: "push";
  violationIssue: ViolationIssue;
  evaluate(push: PushSnapshot, settings: z.output<S>): Finding;
}

/** A tag control is evaluated on every tag (and on a release's tag); a release control only on a published release. */
export interface TagControl<Id extends string, S extends SettingsSchema> extends ControlCommon<Id, S> {
  family: "tag" | "release";
  violationIssue: ViolationIssue;
  evaluate(tag: TagSnapshot, settings: z.output<S>): Finding;
}

/** The answer to a deployment protection rule. */
export interface DeploymentDecision {
  state: "approved" | "rejected";
  reason: string;
}

export interface DeploymentControl<Id extends string, S extends SettingsSchema, O> extends ControlCommon<Id, S> {
  family: "deployment";
  decide(deployment: DeploymentSnapshot, settings: z.output<S>, others: O): DeploymentDecision;
}

// The descriptor of each control is written with one of these, so that TypeScript infers its id, settings and facts.
export const pullRequestControl = <Id extends string, S extends SettingsSchema, F extends OptionalPullRequestFact = never, O = unknown>(
  control: PullRequestControl<Id, S, F, O>,
) => control;
export const pushControl = <Id extends string, S extends SettingsSchema>(control: PushControl<Id, S>) => control;
export const tagControl = <Id extends string, S extends SettingsSchema>(control: TagControl<Id, S>) => control;
export const deploymentControl = <Id extends string, S extends SettingsSchema, O = unknown>(control: DeploymentControl<Id, S, O>) =>
  control;

/** Any pull-request descriptor: its facts are some of the optional facts. */
export type AnyPullRequestControl = Omit<PullRequestControl<string, SettingsSchema, never, never>, "facts"> & {
  facts: { readonly [K in OptionalPullRequestFact]?: (settings: never) => boolean };
};

/** Any descriptor, as the catalogue holds them. */
export type AnyControl =
  | AnyPullRequestControl
  | PushControl<string, SettingsSchema>
  | TagControl<string, SettingsSchema>
  | DeploymentControl<string, SettingsSchema, never>;
