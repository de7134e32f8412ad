import { verifyAuditFile } from "../audit/hash-chain.js";
import { CliError, EXIT, type CliIo } from "./io.js";

/**
 * `sdlc-guard audit verify <file>`: checks the hash chain of an audit file (`AUDIT_LOG_PATH`) from its first line to
 * its last. Exit code 0 when the chain is intact ("OK: ..." on stdout, with the last line's hash to compare with a copy
 * kept elsewhere), 1 when it is broken (the first problem: line, seq, what it looks like), 2 when the file cannot be
 * read (the reason on stderr).
 */
export async function auditVerifyCommand(file: string, io: CliIo): Promise<number> {
  const report = await verifyAuditFile(file).catch((error: unknown) => {
    throw new CliError(`cannot read the audit file ${file}: ${(error as Error)?.message ?? String(error)}`);
  });
  if (!report.ok) {
    const { kind, line, seq, message } = report.problem;
    io.stdout.write(
      [
        `TAMPERED: line ${line}, seq ${seq}: ${kind}: ${message}`,
        `${report.intact} record${report.intact === 1 ? "" : "s"} intact before it (only the first problem is reported)`,
        "",
      ].join("\n"),
    );
    return EXIT.failure;
  }
  const { records, first, last } = report;
  const range =
    first && last
      ? ` (first seq ${first.seq} at ${first.at ?? "?"}, last seq ${last.seq} at ${last.at ?? "?"}; last line sha256 ${last.hash})`
      : " (the file is empty)";
  io.stdout.write(
    [
      `OK: ${records} record${records === 1 ? "" : "s"}, chain intact${range}`,
      "Records removed after the last one cannot be detected from the file alone: compare with the copy in write-once storage.",
      "",
    ].join("\n"),
  );
  return EXIT.success;
}
