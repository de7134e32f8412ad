/** Why a configuration could not be used; rendered in the check run so the author can fix the file. */
export interface ConfigError {
  /** `owner/repo:path` of the offending file. */
  file: string;
  /** Dotted key path inside the file (`controls.reviews.min_approvals`), empty for file-level problems. */
  keyPath: string;
  /** 1-based line in the file the problem is at (or its closest key), when it can be told. */
  line?: number;
  /** What was expected, in words. */
  expected: string;
  /** The file could not be read (GitHub failed): nothing is known of it, unlike a file read and found invalid. */
  unreadable?: true;
}

export function formatConfigError(error: ConfigError): string {
  const where = error.keyPath ? `${error.file} at \`${error.keyPath}\`` : error.file;
  return `${where}: ${error.expected}`;
}
