import { RE2JS } from "re2js";

/** Compiles a user-supplied pattern with RE2 (linear time, no catastrophic backtracking); throws on bad syntax. */
export function compileUserPattern(pattern: string): RE2JS {
  return RE2JS.compile(pattern);
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
