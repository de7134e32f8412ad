import { writeFile } from "node:fs/promises";
import { describeFailure } from "../common/describe-error.js";
import { collectEvidence } from "../github/evidence/evidence-collect.js";
import type { EvidenceExport } from "../report/evidence-types.js";
import { webUrlFromEnv } from "../common/web-url.js";
import { evidenceAsCsv, evidenceAsJson } from "../report/evidence-formats.js";
import { appIdFromEnv, cliLogger } from "./evaluate-command.js";
import { githubClientFromEnv } from "./github-client.js";
import { progressBar } from "./progress.js";
import { CliError, EXIT, type CliDeps, type CliIo } from "./io.js";

export const EVIDENCE_FORMATS = ["csv", "json"] as const;

export interface EvidenceOptions {
  org: string;
  repo?: string;
  since: Date;
  /** Default: now. */
  until?: Date;
  format: (typeof EVIDENCE_FORMATS)[number];
  /** Write here instead of stdout. */
  out?: string;
}

export const EVIDENCE_DATE_FORMS = "a day YYYY-MM-DD (from 00:00 UTC) or an ISO 8601 time with its zone, e.g. 2026-11-01T09:00:00Z";

/** `--since` / `--until`: a day (midnight UTC) or an ISO 8601 time that says its zone; throws on anything else. */
export function parseEvidenceDate(value: string): Date {
  const text = value.trim();
  const day = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const time = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.test(text);
  const date = new Date(day ? `${text}T00:00:00Z` : text);
  // Date would roll 2026-02-30 over to March: a day must read back as given.
  if ((!day && !time) || Number.isNaN(date.getTime()) || (day && date.toISOString().slice(0, 10) !== text))
    throw new Error(EVIDENCE_DATE_FORMS);
  return date;
}

/**
 * `sdlc-guard evidence --org <org> --since <date>`: the auditor's evidence of a period (merged PRs with approvals, Jira
 * keys and sdlc-guard's results, recorded pushes, releases) as CSV or JSON, on stdout or in `--out`. What could not be
 * read is in the export's `unreadable` part and on stderr. Exit code 0 when exported (even with unreadable parts), 2
 * when not (usage, credentials, rate limit, the repository list unreadable).
 */
export async function evidenceCommand(options: EvidenceOptions, env: NodeJS.ProcessEnv, io: CliIo, deps: CliDeps = {}): Promise<number> {
  const { org, repo } = options;
  const now = deps.now?.() ?? new Date();
  const period = { since: options.since, until: options.until ?? now };
  if (period.since.getTime() >= period.until.getTime()) {
    throw new CliError(
      `--since (${period.since.toISOString()}) must be before --until (${period.until.toISOString()}${options.until ? "" : ", now"})`,
    );
  }
  const log = cliLogger(env, io.stderr);
  const { octokit } = await githubClientFromEnv(env, repo ? { owner: org, repo } : { owner: org }, log, deps.Octokit);
  const scope = repo ? `${org}/${repo}` : org;
  const bar = progressBar(io.stderr);
  let evidence: EvidenceExport;
  try {
    evidence = await collectEvidence(octokit, {
      org,
      repository: repo,
      period,
      appId: appIdFromEnv(env),
      now,
      webUrl: webUrlFromEnv(env),
      onProgress: bar?.onProgress,
    });
  } catch (error) {
    throw new CliError(`cannot export the evidence of ${scope}: ${describeFailure(error)}`);
  } finally {
    bar?.stop();
  }

  const text = options.format === "json" ? evidenceAsJson(evidence) : evidenceAsCsv(evidence);
  if (options.out) {
    try {
      await writeFile(options.out, text, "utf8");
    } catch (error) {
      throw new CliError(`cannot write ${options.out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  } else {
    io.stdout.write(text);
  }
  for (const { what, why } of evidence.unreadable) io.stderr.write(`sdlc-guard: not read: ${what}: ${why}\n`);
  const counts = `${evidence.pullRequests.length} merged pull requests, ${evidence.pushes.length} recorded pushes, ${evidence.releases.length} releases`;
  const gaps = evidence.unreadable.length
    ? `${evidence.unreadable.length} parts could not be read (listed under unreadable)`
    : "everything was read";
  const where = options.out ? `; written to ${options.out}` : "";
  io.stderr.write(
    `sdlc-guard: evidence of ${scope} from ${evidence.period.since} to ${evidence.period.until}: ${counts}; ${gaps}; ${evidence.requests} GitHub requests${where}\n`,
  );
  return EXIT.success;
}
