/**
 * IAM's size quotas, checked on a synthesized template: per role, the inline policies together, each
 * attached managed policy, and the number of managed policies. IAM counts policy characters without
 * whitespace (docs/fleet.md cites the quotas page).
 */
import { resolve, type Environment } from './template-policies';

export const IAM_QUOTAS = {
  inlineCharsPerRole: 10_240,
  managedPolicyChars: 6_144,
  managedPoliciesPerRole: 10,
} as const;

export interface RolePolicySizes {
  readonly role: string;
  readonly inlineChars: number;
  readonly managedChars: readonly number[];
}

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

/** Each role's policy sizes as IAM counts them, with every ARN resolved in `env`. */
export function rolePolicySizes(template: Template, env: Environment): RolePolicySizes[] {
  const sizes = new Map<string, { inlineChars: number; managedChars: number[] }>();
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::IAM::Role') sizes.set(id, { inlineChars: 0, managedChars: [] });
  }
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy' && resource.Type !== 'AWS::IAM::ManagedPolicy') continue;
    const chars = JSON.stringify(resolve(template, resource.Properties!['PolicyDocument'], env)).length;
    for (const { Ref } of (resource.Properties!['Roles'] as Array<{ Ref: string }> | undefined) ?? []) {
      const role = sizes.get(Ref)!;
      if (resource.Type === 'AWS::IAM::Policy') role.inlineChars += chars;
      else role.managedChars.push(chars);
    }
  }
  return [...sizes].map(([role, s]) => ({ role, ...s }));
}

/** Every way the roles exceed IAM's quotas, in words; empty when none does. */
export function iamQuotaBreaches(sizes: readonly RolePolicySizes[]): string[] {
  return sizes.flatMap(({ role, inlineChars, managedChars }) => [
    ...(inlineChars > IAM_QUOTAS.inlineCharsPerRole ? [`${role}: inline policies of ${inlineChars} characters`] : []),
    ...(managedChars.length > IAM_QUOTAS.managedPoliciesPerRole
      ? [`${role}: ${managedChars.length} managed policies`]
      : []),
    ...managedChars
      .filter((chars) => chars > IAM_QUOTAS.managedPolicyChars)
      .map((chars) => `${role}: a managed policy of ${chars} characters`),
  ]);
}
