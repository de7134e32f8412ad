import type { ProbotOctokit } from "probot";

/** Where the CLI writes: process.stdout / process.stderr, or buffers in tests. */
export interface CliOutput {
  write(text: string): unknown;
}

export interface CliIo {
  stdout: CliOutput;
  stderr: CliOutput;
}

/** The Octokit class the CLI builds its clients from: Probot's (throttling, retries, pagination) unless a test passes a variant. */
export type OctokitClass = typeof ProbotOctokit;

/** What tests may replace; the real command uses the defaults. */
export interface CliDeps {
  Octokit?: OctokitClass;
  now?: () => Date;
}

/** The exit-code contract of every sdlc-guard command. */
export const EXIT = {
  /** The check run would conclude `success`. */
  success: 0,
  /** The check run would conclude `failure`, or is pending (waiting for a required check). */
  failure: 1,
  /** Nothing was evaluated: bad arguments, missing or refused credentials, a GitHub error, a PR that is not open. */
  error: 2,
} as const;

/** A failure the user can act on (arguments, environment, credentials, GitHub): exit code 2, the message alone, no stack. */
export class CliError extends Error {
  override readonly name = "CliError";
}
