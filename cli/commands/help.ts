/** The exit statuses every command documents; `EXIT` in cli/main.ts holds the same numbers. */
export const EXIT_CODES_HELP = [
  'Exit codes:',
  '  0  success',
  '  1  failure: an AWS call failed (credentials, permissions, not found, throttling), or the run failed',
  '  2  bad input: a bad option, file or field; the message names it',
].join('\n');

/** The text after a command's options: its examples, then the exit codes. */
export function helpEpilogue(examples: readonly string[], notes: readonly string[] = []): string {
  const parts = [`\nExamples:\n${examples.map((line) => `  ${line}`).join('\n')}\n`];
  if (notes.length > 0) parts.push(`${notes.join('\n')}\n`);
  parts.push(`${EXIT_CODES_HELP}\n`);
  return parts.join('\n');
}

/** Said under every command that calls AWS. */
export const CREDENTIALS_NOTE =
  'Credentials and region come from the usual AWS sources (AWS_PROFILE, `aws sso login`, AWS_REGION);\n' +
  '--region overrides the region.';
