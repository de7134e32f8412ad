import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { appendFile, open } from "node:fs/promises";

/**
 * The audit file: hash-chained JSON lines, tamper-evident.
 *
 * Each line is one JSON object, `{"seq":n,"at":"<ISO time>","prev":"<hex>",...record}`:
 * - `seq` counts the records from 1, with no gap;
 * - `at` is when the record was written;
 * - `prev` is the SHA-256 (hex) of the exact bytes of the previous line (without its newline), or 64 zeros for the
 *   first line of the file.
 *
 * Changing, removing, inserting or reordering a record therefore breaks the chain at that point, and
 * {@link verifyAuditFile} names the first place where it breaks.
 *
 * What the chain cannot show:
 * - **Records removed from the end.** Nothing follows the last record, so a file cut after a complete line (or
 *   emptied) still verifies; the content of the last record is only checked for its seq and prev. Only a copy held
 *   elsewhere proves the tail: ship the file (or at least its last line's hash, which `sdlc-guard audit verify`
 *   prints) to write-once storage (e.g. an object-lock bucket) or a log system you do not administer, as it grows.
 * - **A rewrite from some point on.** The chain has no key: whoever can write the file can recompute every hash after
 *   an edit. The same remedy applies: compare with the copy in write-once storage.
 *
 * Writing:
 * - One writer per file, in one process: appends are serialized in memory (one queue per {@link HashChainFile}).
 *   Several processes or replicas appending to one file (a shared volume) are out of scope: they would interleave
 *   seq numbers and break the chain. Give each replica its own file.
 * - Every append is a single `appendFile` call with the `a` flag (O_APPEND), so the line goes to the end of the file.
 * - An existing file is continued: its last line gives the seq and hash to chain on. If the last line is not a
 *   complete chain record (cut off by a crash or a full disk, or edited), nothing more is appended: the error is
 *   reported and the file left as it is, so evidence is never silently spliced onto a broken chain. To go on, move
 *   the file aside (keep it: it is evidence up to the break) and restart; a new file begins a new chain.
 * - Rotation: likewise, stop writing (or restart) with a new path; each file is its own chain from seq 1.
 * - Nothing is redacted here: the records are written as given. The callers (`audit()`) pass only identifiers,
 *   outcomes and reasons, never tokens, keys or request bodies.
 */

/** The `prev` of the first record of a file. */
export const GENESIS_PREV = "0".repeat(64);

/** The fields the chain adds in front of every record. A record's own field of that name is kept as `record_<name>`. */
const CHAIN_FIELDS = ["seq", "at", "prev"] as const;

const HEX_SHA256 = /^[0-9a-f]{64}$/;
const NEWLINE = 0x0a;

/** SHA-256 (hex) of one line's exact bytes, without its newline. */
export function hashLine(line: string | Uint8Array): string {
  return createHash("sha256").update(line).digest("hex");
}

/** Where a chain stands: the last record's seq (0 before the first) and the hash the next record's `prev` must carry. */
export interface ChainHead {
  seq: number;
  hash: string;
}

const EMPTY_HEAD: ChainHead = { seq: 0, hash: GENESIS_PREV };

/** The file cannot be continued without breaking its chain: nothing is appended to it. */
export class ChainRefusedError extends Error {
  override readonly name = "ChainRefusedError";
}

/** A chain line read back: its `seq` and `prev` (and `at`), or why it is not one. */
type ParsedLine = { seq: number; prev: string; at: string | undefined } | { invalid: string };

function parseLine(bytes: Uint8Array): ParsedLine {
  if (bytes.length === 0) return { invalid: "an empty line" };
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    return { invalid: "not JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { invalid: "not a JSON object" };
  const { seq, prev, at } = value as Record<string, unknown>;
  if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 1) return { invalid: "no valid seq" };
  if (typeof prev !== "string" || !HEX_SHA256.test(prev)) return { invalid: "no valid prev hash" };
  return { seq, prev, at: typeof at === "string" ? at : undefined };
}

/**
 * The head of the chain in `path`, from its last line only (the whole file is checked by {@link verifyAuditFile}):
 * an empty or missing file starts a chain. Rejects with {@link ChainRefusedError} when the last line is not a complete
 * chain record, and with the fs error when the file cannot be read.
 */
export async function readChainHead(path: string): Promise<ChainHead> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return EMPTY_HEAD;
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: "EISDIR" });
    const size = stats.size;
    if (size === 0) return EMPTY_HEAD;
    // Read backwards until the newline before the last line (or the start of the file).
    const chunks: Buffer[] = [];
    let position = size;
    let lineStart = -1;
    while (position > 0 && lineStart < 0) {
      const length = Math.min(64 * 1024, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      const { bytesRead } = await handle.read(chunk, 0, length, position);
      if (bytesRead !== length) throw new Error(`${path} changed while it was read`);
      chunks.unshift(chunk);
      // Skip the file's final newline: the search is for the one before the last line.
      const searchEnd = position + length === size ? length - 2 : length - 1;
      const found = searchEnd >= 0 ? chunk.lastIndexOf(NEWLINE, searchEnd) : -1;
      if (found >= 0) lineStart = position + found + 1;
    }
    const tail = Buffer.concat(chunks);
    const from = lineStart < 0 ? 0 : lineStart - position;
    if (tail[tail.length - 1] !== NEWLINE) {
      throw new ChainRefusedError(
        `the last line of ${path} has no newline: it may be cut off (a crash or a full disk), so it is not continued`,
      );
    }
    const last = tail.subarray(from, tail.length - 1);
    const parsed = parseLine(last);
    if ("invalid" in parsed)
      throw new ChainRefusedError(`the last line of ${path} is not a chain record (${parsed.invalid}), so it is not continued`);
    return { seq: parsed.seq, hash: hashLine(last) };
  } finally {
    await handle.close();
  }
}

/** A record as JSON text, with everything not representable in JSON made so (bigints as strings, cycles cut). */
function serializeRecord(record: Record<string, unknown>): string {
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    body[(CHAIN_FIELDS as readonly string[]).includes(key) ? `record_${key}` : key] = value;
  }
  const ancestors: object[] = [];
  try {
    return JSON.stringify(body, function (this: unknown, _key: string, value: unknown) {
      if (typeof value === "bigint") return value.toString();
      if (typeof value !== "object" || value === null) return value;
      // `this` is the object holding the value: drop the ancestors we have left, then check for a cycle.
      while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
      if (ancestors.includes(value)) return "[Circular]";
      ancestors.push(value);
      return value;
    });
  } catch (error) {
    // A toJSON that throws, for instance: the line is still written (the chain goes on), saying what was lost.
    return JSON.stringify({ unserializable_record: (error as Error)?.message ?? String(error) });
  }
}

/** The chain line for a serialized record body (`{...}`) after `head`, written at `at`. */
function chainLine(head: ChainHead, body: string, at: Date): { line: string; head: ChainHead } {
  const seq = head.seq + 1;
  const prefix = JSON.stringify({ seq, at: at.toISOString(), prev: head.hash });
  const line = body === "{}" ? prefix : `${prefix.slice(0, -1)},${body.slice(1)}`;
  return { line, head: { seq, hash: hashLine(line) } };
}

export interface HashChainFileOptions {
  /** The clock of the `at` field (tests). */
  now?: () => Date;
  /** Nothing is read or written before this settles (the previous writer of the same file finishing its queue). */
  after?: Promise<unknown>;
  /**
   * The record written in front of the first record that reaches the file after some could not be written
   * (`missed` of them), so that the file itself shows the gap. None when omitted.
   */
  gapRecord?: (missed: number) => Record<string, unknown>;
}

/** What an append did. */
export interface AppendResult {
  /** The record's seq in the file. */
  seq: number;
  /** How many records before it could not be written (and were marked by a gap record); 0 normally. */
  missedBefore: number;
}

/**
 * The single writer of one audit file (see the top of this module). {@link append} never blocks: records are
 * serialized when it is called (later changes to the objects do not matter) and written in call order.
 * A failed write (the file cannot be opened, the disk is full) rejects that append only; the next append reads the
 * file's last line again and goes on from there, unless the file was refused ({@link ChainRefusedError}), which
 * lasts as long as this writer.
 */
export class HashChainFile {
  private queue: Promise<unknown>;
  private head: ChainHead | undefined;
  private refused: ChainRefusedError | undefined;
  private missed = 0;
  private readonly now: () => Date;

  constructor(
    readonly path: string,
    private readonly options: HashChainFileOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.queue = Promise.resolve(options.after).catch(() => undefined);
  }

  /** Reads the head of the file now (after what is queued), so a file that cannot be continued is known early. */
  open(): Promise<ChainHead> {
    return this.enqueue(() => this.currentHead());
  }

  /** Appends one record (queued). */
  append(record: Record<string, unknown>): Promise<AppendResult> {
    const body = serializeRecord(record);
    return this.enqueue(() => this.write(body));
  }

  /** Resolves when everything queued so far has been written or has failed; never rejects. */
  flush(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async currentHead(): Promise<ChainHead> {
    if (this.refused) throw this.refused;
    try {
      this.head ??= await readChainHead(this.path);
      return this.head;
    } catch (error) {
      if (error instanceof ChainRefusedError) this.refused = error;
      throw error;
    }
  }

  private async write(body: string): Promise<AppendResult> {
    let text = "";
    let next: ChainHead;
    try {
      let head = await this.currentHead();
      const at = this.now();
      if (this.missed > 0 && this.options.gapRecord) {
        const gap = chainLine(head, serializeRecord(this.options.gapRecord(this.missed)), at);
        text += `${gap.line}\n`;
        head = gap.head;
      }
      const record = chainLine(head, body, at);
      text += `${record.line}\n`;
      next = record.head;
      await appendFile(this.path, text, { flag: "a" });
    } catch (error) {
      // Read the head again next time: the file may have a partial line now (then it is refused) or nothing new.
      this.head = undefined;
      this.missed += 1;
      throw error;
    }
    const missedBefore = this.missed;
    this.head = next;
    this.missed = 0;
    return { seq: next.seq, missedBefore };
  }
}

/** What looks to have been done to the file at its first problem. */
export type TamperKind =
  /** A record's content (or its `prev`) was changed after it was written. */
  | "altered"
  /** Records are missing: the seq jumps. */
  | "removed"
  /** Records are out of order: a seq that was expected shows up later in the file. */
  | "reordered"
  /** A seq appears a second time: a record was duplicated or one was inserted. */
  | "inserted"
  /** The last line is cut off (no newline, not a complete record): a truncated file or an interrupted write. */
  | "truncated"
  /** A line is not a chain record (not JSON, no seq or prev): garbage inserted or appended, or a record mangled. */
  | "unparsable";

export interface VerifyProblem {
  kind: TamperKind;
  /** The 1-based line number of the record the problem points at. */
  line: number;
  /** The seq of that record (or the seq that was expected there, when the line has none). */
  seq: number;
  /** One sentence for people: where, what, and what it looks like. */
  message: string;
}

export interface RecordPosition {
  line: number;
  seq: number;
  at: string | undefined;
}

export type VerifyReport =
  | {
      ok: true;
      /** Records in the file, all chained. */
      records: number;
      first?: RecordPosition;
      /** The last record, with the hash of its line: keep it elsewhere to prove the tail later. */
      last?: RecordPosition & { hash: string };
    }
  | {
      ok: false;
      /** Records from the start of the file that check out, before the first problem. */
      intact: number;
      problem: VerifyProblem;
    };

interface FileLine {
  /** 1-based. */
  number: number;
  bytes: Buffer;
  /** Whether a newline follows (false only for a last line without one). */
  terminated: boolean;
}

/** The file's lines, split on "\n" only, as bytes (the hash is over the exact bytes). */
async function* readLines(path: string): AsyncGenerator<FileLine> {
  let pending: Buffer[] = [];
  let number = 0;
  for await (const chunk of createReadStream(path)) {
    let data = chunk as Buffer;
    let index: number;
    while ((index = data.indexOf(NEWLINE)) >= 0) {
      pending.push(data.subarray(0, index));
      yield { number: ++number, bytes: Buffer.concat(pending), terminated: true };
      pending = [];
      data = data.subarray(index + 1);
    }
    if (data.length > 0) pending.push(data);
  }
  if (pending.length > 0) yield { number: number + 1, bytes: Buffer.concat(pending), terminated: false };
}

/** The first line after `afterLine` for which `match` holds, reading the file again. */
async function findLater(path: string, afterLine: number, match: (line: FileLine) => boolean): Promise<FileLine | undefined> {
  for await (const line of readLines(path)) {
    if (line.number > afterLine && match(line)) return line;
  }
  return undefined;
}

async function lineAt(path: string, number: number): Promise<FileLine | undefined> {
  return findLater(path, number - 1, (line) => line.number === number);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * Checks the whole chain of an audit file and reports the first problem: a record altered (its hash no longer matches
 * the next record's `prev`, or its own `prev` does not match its predecessor), removed (a seq gap), reordered (a seq
 * that was skipped turns up later), inserted (a seq repeated), a line that is not a record, or a last line cut off.
 * Rejects only when the file cannot be read.
 *
 * A passing check proves the records are the ones written, in order, with none missing **between** the first and
 * the last; it cannot prove that none were removed after the last one, and the last record's content has nothing
 * after it to vouch for it (only its seq and prev are checked). Keep the file, or the last hash this reports, in
 * write-once storage, and compare.
 */
export async function verifyAuditFile(path: string): Promise<VerifyReport> {
  let expectedSeq = 1;
  let expectedPrev = GENESIS_PREV;
  let first: RecordPosition | undefined;
  let last: (RecordPosition & { hash: string }) | undefined;
  const fail = (intact: number, problem: VerifyProblem): VerifyReport => ({ ok: false, intact, problem });

  for await (const line of readLines(path)) {
    const n = line.number;
    const parsed = parseLine(line.bytes);
    if ("invalid" in parsed) {
      if (!line.terminated) {
        return fail(n - 1, {
          kind: "truncated",
          line: n,
          seq: expectedSeq,
          message: `line ${n} (where seq ${expectedSeq} was expected) is cut off: ${parsed.invalid} and no newline at the end of the file; the file was truncated or a write was interrupted`,
        });
      }
      return fail(n - 1, {
        kind: "unparsable",
        line: n,
        seq: expectedSeq,
        message: `line ${n} (where seq ${expectedSeq} was expected) is not an audit record (${parsed.invalid}): a line was inserted or appended, or a record was mangled`,
      });
    }
    const hash = hashLine(line.bytes);
    const { seq } = parsed;

    if (seq > expectedSeq) {
      const missing = (s: number) => s >= expectedSeq && s < seq;
      const later = await findLater(path, n, (other) => {
        const p = parseLine(other.bytes);
        return !("invalid" in p) && missing(p.seq);
      });
      if (later) {
        return fail(n - 1, {
          kind: "reordered",
          line: n,
          seq,
          message: `records out of order: line ${n} holds seq ${seq} where seq ${expectedSeq} was expected, and a skipped seq comes later (line ${later.number}); records were swapped or moved`,
        });
      }
      const gap = seq - expectedSeq;
      const range = gap === 1 ? `seq ${expectedSeq} is` : `seq ${expectedSeq} to ${seq - 1} are`;
      const where = n === 1 ? "at the start of the file" : `after seq ${expectedSeq - 1} (line ${n - 1})`;
      return fail(n - 1, {
        kind: "removed",
        line: n,
        seq,
        message: `${range} missing ${where}: line ${n} holds seq ${seq}; ${plural(gap, "record")} removed`,
      });
    }
    if (seq < expectedSeq) {
      return fail(n - 1, {
        kind: "inserted",
        line: n,
        seq,
        message: `line ${n} holds seq ${seq} again (already at line ${seq}, seq ${expectedSeq} was expected): a record was duplicated or inserted`,
      });
    }
    if (parsed.prev !== expectedPrev) {
      if (n === 1) {
        return fail(0, {
          kind: "altered",
          line: 1,
          seq,
          message: `the first record (line 1, seq ${seq}) was altered: its prev is not the start of a chain`,
        });
      }
      // Either the record before was changed (its hash moved), or this record's prev was. If this line's own hash no
      // longer matches the next record's prev either, this is the changed one.
      const next = await lineAt(path, n + 1);
      const nextParsed = next && parseLine(next.bytes);
      if (nextParsed && !("invalid" in nextParsed) && nextParsed.seq === seq + 1 && nextParsed.prev !== hash) {
        return fail(n - 1, {
          kind: "altered",
          line: n,
          seq,
          message: `the record at line ${n} (seq ${seq}) was altered: its prev no longer matches the record before it, nor its hash the prev of the next record`,
        });
      }
      const lastNote = next ? "" : " (or the prev of the last record was changed)";
      return fail(n - 2, {
        kind: "altered",
        line: n - 1,
        seq: seq - 1,
        message: `the record at line ${n - 1} (seq ${seq - 1}) was altered: its hash no longer matches the prev of the next record (line ${n}, seq ${seq})${lastNote}`,
      });
    }

    const position = { line: n, seq, at: parsed.at };
    first ??= position;
    last = { ...position, hash };
    expectedSeq = seq + 1;
    expectedPrev = hash;
  }
  return { ok: true, records: expectedSeq - 1, first, last };
}
