import { alarmDoublingPolicy } from './alarm-doubling';
import { msfBuiltInPolicy } from './msf-builtin';
import { nonePolicy } from './none';
import { oraclePolicy } from './oracle';
import type { BenchPolicy, PolicyName } from './policy';
import { shardDoublingPolicy } from './shard-doubling';
import { streamMedicPolicy } from './stream-medic';

export { POLICY_NAMES, type BenchPolicy, type PlayResult, type PolicyName } from './policy';

/** Every policy, in the order the report lists them; `none` first, because the figures take the incident's start from it. */
export const POLICIES: readonly BenchPolicy[] = [
  nonePolicy,
  streamMedicPolicy,
  msfBuiltInPolicy,
  alarmDoublingPolicy,
  shardDoublingPolicy,
  oraclePolicy,
];

export function policyNamed(name: PolicyName): BenchPolicy {
  const policy = POLICIES.find((p) => p.name === name);
  if (!policy) throw new Error(`no policy named ${name}`);
  return policy;
}
