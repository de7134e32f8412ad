/** A spreadsheet would run text starting with one of these as a formula: prefix it with a quote (OWASP CSV injection). */
export const spreadsheetSafe = <T extends string | number | undefined>(value: T): T | string =>
  typeof value === "string" && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
