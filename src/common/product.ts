// The names users and our own parts rely on (the product contract): never rename one.

/** The app's check run, one per head commit. */
export const CHECK_NAME = "sdlc-guard";
/** The label of the violation issues (one per push, tag or release control). */
export const VIOLATION_LABEL = "sdlc-guard";
/** The label of the organisation's compliance summary issue. */
export const SUMMARY_LABEL = "sdlc-guard-summary";
/** The title of the organisation's compliance summary issue. */
export const SUMMARY_TITLE = "SDLC compliance summary";
/** Where a repository (or the organisation's `.github` repository) keeps its policy, on the default branch. */
export const CONFIG_PATH = ".github/sdlc-guard.yml";
