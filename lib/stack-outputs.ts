/**
 * The names of the stack outputs the CLI reads. No CDK import here: the CLI loads this module.
 */

/** The stack output that names the ledger table, which the pause, resume and history commands read. */
export const LEDGER_TABLE_OUTPUT_KEY = 'LedgerTableName';
/** The stack output that names the operators' managed policy. */
export const OPERATOR_POLICY_OUTPUT_KEY = 'OperatorPolicyArn';
