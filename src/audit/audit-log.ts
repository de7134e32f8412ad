import type { Logger } from "pino";
import { ChainRefusedError, HashChainFile } from "./hash-chain.js";

/**
 * Audit records: what sdlc-guard decided, for whom, on which delivery.
 *
 * {@link audit} writes each record as one structured log line (`audit: true`, `action`, `delivery_id`, the fields),
 * and, when an audit file is configured (`AUDIT_LOG_PATH`, see {@link configureAuditFile}), appends the same record to
 * that file, a hash-chained JSON-lines file (see `hash-chain.ts`) that `sdlc-guard audit verify <file>` checks.
 *
 * The file never gets in the way of the work: {@link audit} returns at once (appends are queued, in call order) and
 * never throws because of the file. When the file cannot be written, the log line is still written, an error saying
 * so (with the path, never a record's content) is logged once, and the next record tries again; when the file takes
 * records again, a warning says how many it missed and an `audit.records_not_written` record in the file marks the gap.
 * A file whose last line is not a complete record is not continued at all (see `hash-chain.ts`).
 *
 * The records hold identifiers, outcomes and reasons; callers never pass tokens, keys, webhook payloads or request
 * bodies, and nothing is redacted on the way to the file.
 */

/** The action of the record that marks, in the file, records that could not be written to it (they are in the log). */
export const RECORDS_NOT_WRITTEN = "audit.records_not_written";

interface AuditSink {
  file: HashChainFile;
  /** Whether the last append failed (the error was logged; later failures are not, until one succeeds). */
  failing: boolean;
}

let sink: AuditSink | undefined;

/** Sees every audit record {@link audit} writes (metrics count evaluations from them); must not modify it. */
export type AuditListener = (record: Readonly<Record<string, unknown>>) => void;
const listeners = new Set<AuditListener>();

/** Calls `listener` with every record, right after its log line; returns a function that stops it. A throwing listener is ignored. */
export function onAudit(listener: AuditListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Sets the process-wide audit file (from `AUDIT_LOG_PATH`); `undefined` or blank: no file, records go to the log only.
 * Call it once at start-up. An existing file is continued (its chain goes on). With `log`, the file's last line is
 * read right away and a file that cannot be continued or read is reported on `log` now rather than at the first
 * record. Configuring again (a new path, or none) lets the previous file finish its queue first.
 */
export function configureAuditFile(path: string | undefined, log?: Logger): void {
  const previous = sink;
  const trimmed = path?.trim();
  sink = undefined;
  if (!trimmed) return;
  const file = new HashChainFile(trimmed, {
    after: previous?.file.flush(),
    gapRecord: (missed) => ({
      audit: true,
      action: RECORDS_NOT_WRITTEN,
      delivery_id: null,
      missed,
      msg: `${missed} audit record${missed === 1 ? "" : "s"} could not be written to this file (they are in the log)`,
    }),
  });
  const current: AuditSink = { file, failing: false };
  sink = current;
  if (log) file.open().then(undefined, (error: unknown) => reportFailure(current, log, error));
}

/** Waits for every queued append, then stops writing to the file (records go to the log only). For shutdown. */
export async function closeAuditFile(): Promise<void> {
  const current = sink;
  sink = undefined;
  await current?.file.flush();
}

/** Waits for every queued append (tests; a clean shutdown uses {@link closeAuditFile}). */
export async function flushAuditFile(): Promise<void> {
  await sink?.file.flush();
}

/**
 * Writes one audit record: one log line `{ audit: true, action, delivery_id, ...fields }` with `message`, at info
 * level, and the same record (with `msg`) appended to the audit file when one is configured.
 *
 * `delivery_id` is `fields.delivery_id` when given, else the `id` the logger is bound with (Probot's `context.log`
 * is bound to the webhook delivery id), else `null` (the command line, a schedule). `audit`, `action` and
 * `delivery_id` in `fields` cannot override these. Never throws because of the file and never waits for it.
 */
export function audit(log: Logger, action: string, fields: Record<string, unknown>, message: string): void {
  const deliveryId = fields.delivery_id ?? boundDeliveryId(log) ?? null;
  const fixed = { audit: true, action, delivery_id: deliveryId };
  // The fixed fields first in the line, and they win over the caller's.
  const record: Record<string, unknown> = Object.assign({}, fixed, fields, fixed);
  log.info(record, message);
  for (const listener of listeners) {
    try {
      listener(record);
    } catch {
      // an observer never gets in the way of the record
    }
  }

  const current = sink;
  if (!current) return;
  current.file.append({ ...record, msg: message }).then(
    ({ missedBefore }) => {
      if (!current.failing) return;
      current.failing = false;
      log.warn(
        { audit_file: current.file.path, missed: missedBefore },
        `the audit file takes records again; ${missedBefore} record${missedBefore === 1 ? " is" : "s are"} in the log only (marked in the file by ${RECORDS_NOT_WRITTEN})`,
      );
    },
    (error: unknown) => reportFailure(current, log, error),
  );
}

/** The delivery id a Probot `context.log` carries (`log.child({ id })`), if any. */
function boundDeliveryId(log: Logger): unknown {
  if (typeof log.bindings !== "function") return undefined;
  const id = log.bindings().id as unknown;
  return typeof id === "string" || typeof id === "number" ? id : undefined;
}

/** Logs a file failure once until the file works again: the path and the reason, never a record's content. */
function reportFailure(current: AuditSink, log: Logger, error: unknown): void {
  if (current.failing) return;
  current.failing = true;
  const reason = (error as Error)?.message ?? String(error);
  const code = (error as NodeJS.ErrnoException)?.code;
  if (error instanceof ChainRefusedError) {
    log.error(
      { audit_file: current.file.path, reason },
      `audit file refused, records go to the log only: ${reason}; move the file aside (keep it as evidence) and restart to begin a new one`,
    );
  } else {
    log.error(
      { audit_file: current.file.path, reason, code },
      `cannot write the audit file, records go to the log only until it can: ${reason}`,
    );
  }
}
