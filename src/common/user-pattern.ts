import { RE2JS } from "re2js";

/** Compiled patterns by source: compiling is most of a pattern control's cost, and configs repeat (bounded). */
const COMPILED = new Map<string, RE2JS>();
const MAX_COMPILED = 200;

/**
 * Compiles a pattern with RE2 (linear time, no catastrophic backtracking), once per source; throws on bad syntax.
 * A compiled pattern is immutable (each search makes its own matcher), so sharing it is safe.
 */
export function compileUserPattern(pattern: string): RE2JS {
  let compiled = COMPILED.get(pattern);
  if (!compiled) {
    compiled = RE2JS.compile(pattern);
    if (COMPILED.size >= MAX_COMPILED) COMPILED.delete(COMPILED.keys().next().value!);
    COMPILED.set(pattern, compiled);
  }
  return compiled;
}

/** Returns the syntax error of a user-supplied pattern, or null when RE2 accepts it. */
export function userPatternError(pattern: string): string | null {
  try {
    compileUserPattern(pattern);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
