/**
 * How a fleet's per-target resources are spread over CloudFormation stacks. The CDK construct builds
 * exactly this layout and `config validate` predicts from it, so the two cannot disagree: the
 * targets' alarms, their "cannot see" alarms and the EventBridge rules that start runs are packed, in
 * config order, into target groups. The first group lives in the main stack (next to the one workflow,
 * ledger and topic of the fleet); every further group is a nested stack of its own, with its own
 * dead-letter queue for the alarm events its rules could not deliver.
 */
import { alarmDefinitionsFor, type AlarmDefinition } from './alarm-definitions';
import type { StreamMedicConfig, TargetConfig } from './config';
import { blindAlarmDefinitions, type BlindAlarmDefinition } from './watchdog';

/**
 * CloudFormation's per-template quotas (docs/fleet.md cites the page). Nested stack templates are
 * uploaded to S3 as assets, so the S3 template-body quota applies to every template.
 */
export const CLOUDFORMATION_LIMITS = {
  resources: 500,
  templateBytes: 1024 * 1024,
  outputs: 200,
  parameters: 200,
} as const;

/** EventBridge's default cap on an event pattern, in characters. */
export const EVENT_PATTERN_MAX_CHARS = 2048;
/** What a pattern holds besides the alarm ARNs: source, detail-type and state, with room to spare. */
const EVENT_PATTERN_FIXED_CHARS = 248;
/** Longest partition (`aws-us-gov`) and region, for ARNs whose parts are not known at synth. */
const ARN_PARTITION_CHARS = 10;
export const LONGEST_REGION_CHARS = 16;

/**
 * Amazon SQS allows 20 statements in a queue policy; each rule adds one to its dead-letter queue's
 * policy (the one that lets it send there) and `enforceSSL` one more, so a group has at most 19 rules.
 */
export const SQS_POLICY_MAX_STATEMENTS = 20;
const MAX_RULES_PER_GROUP = SQS_POLICY_MAX_STATEMENTS - 1;

/**
 * Resources a group may hold. The main stack keeps room for its fixed resources (the workflow's
 * functions, roles, the watchdog's own alarms) and one `AWS::CloudFormation::Stack` per further group;
 * a nested group keeps room for its queue, queue policy and queue alarm. Both stay well under the
 * 500-resource and 1 MB quotas: an alarm renders to at most about 2 KB of template.
 */
export const GROUP_RESOURCE_BUDGET = { main: 300, nested: 400 } as const;

/** What a nested group holds besides its targets' alarms and rules: dead-letter queue, its policy, its alarm, its dashboard. */
export const NESTED_GROUP_FIXED_RESOURCES = 4;

export interface TargetGroupPlan {
  /** 0 is the main stack; 1 and up are nested stacks, in order. */
  readonly index: number;
  readonly targets: readonly string[];
  readonly alarms: readonly AlarmDefinition[];
  readonly blindAlarms: readonly BlindAlarmDefinition[];
  /** The alarm names each rule of the group matches, in order: one event pattern each. */
  readonly rules: readonly (readonly string[])[];
}

/** The characters one alarm ARN takes in an event pattern: `"arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>",`. */
function arnChars(alarmName: string, regionChars: number): number {
  return `"arn::cloudwatch:::alarm:",`.length + ARN_PARTITION_CHARS + regionChars + 12 + alarmName.length;
}

/**
 * Alarm names split into groups whose ARNs fit one event pattern each, in order. The ARN length is
 * worked out from the name and the longest partition (and region, when it is not known), so a
 * pattern never overflows.
 */
export function ruleGroups(alarmNames: readonly string[], region: string | undefined): string[][] {
  const regionChars = region?.length ?? LONGEST_REGION_CHARS;
  const budget = EVENT_PATTERN_MAX_CHARS - EVENT_PATTERN_FIXED_CHARS;
  const groups: string[][] = [];
  let current: string[] = [];
  let used = 0;
  for (const name of alarmNames) {
    const chars = arnChars(name, regionChars);
    if (current.length > 0 && used + chars > budget) {
      groups.push(current);
      current = [];
      used = 0;
    }
    current.push(name);
    used += chars;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Resources a group of these alarms takes in its stack. */
export function groupResourceCount(group: Pick<TargetGroupPlan, 'index' | 'alarms' | 'blindAlarms' | 'rules'>): number {
  const own = group.alarms.length + group.blindAlarms.length + group.rules.length;
  return group.index === 0 ? own : own + NESTED_GROUP_FIXED_RESOURCES;
}

/**
 * The config's targets packed into groups, in config order: a target joins the current group while
 * the group stays within its resource budget and rule count, else it opens the next group. Adding
 * targets at the end of the list leaves every existing target in its group; removing or reordering
 * targets may move later ones to another group (see docs/fleet.md).
 *
 * `region` is the deploy region when known: it decides how many alarm ARNs fit one rule.
 */
export function planTargetGroups(config: StreamMedicConfig, region: string | undefined): TargetGroupPlan[] {
  const alarms = alarmDefinitionsFor(config);
  const blind = blindAlarmDefinitions(config);
  const groups: TargetGroupPlan[] = [];
  let current: { targets: string[]; alarms: AlarmDefinition[]; blindAlarms: BlindAlarmDefinition[] } | undefined;
  const close = (): void => {
    if (current === undefined) return;
    groups.push(sealed(groups.length, current, region));
    current = undefined;
  };
  for (const target of config.targets) {
    const own = {
      alarms: alarms.filter((a) => a.target === target.name),
      blindAlarms: blind.filter((b) => b.target === target.name),
    };
    if (current !== undefined) {
      const grown = sealed(
        groups.length,
        {
          targets: [...current.targets, target.name],
          alarms: [...current.alarms, ...own.alarms],
          blindAlarms: [...current.blindAlarms, ...own.blindAlarms],
        },
        region,
      );
      const budget = groups.length === 0 ? GROUP_RESOURCE_BUDGET.main : GROUP_RESOURCE_BUDGET.nested;
      if (groupResourceCount(grown) > budget || grown.rules.length > MAX_RULES_PER_GROUP) close();
    }
    current ??= { targets: [], alarms: [], blindAlarms: [] };
    current.targets.push(target.name);
    current.alarms.push(...own.alarms);
    current.blindAlarms.push(...own.blindAlarms);
  }
  close();
  // The main stack always has its group, empty or not, so its rule and queue exist as before.
  return groups.length > 0 ? groups : [sealed(0, { targets: [], alarms: [], blindAlarms: [] }, region)];
}

function sealed(
  index: number,
  group: {
    targets: readonly string[];
    alarms: readonly AlarmDefinition[];
    blindAlarms: readonly BlindAlarmDefinition[];
  },
  region: string | undefined,
): TargetGroupPlan {
  return {
    index,
    targets: group.targets,
    alarms: group.alarms,
    blindAlarms: group.blindAlarms,
    rules: ruleGroups(
      group.alarms.map((a) => a.alarmName),
      region,
    ),
  };
}

/**
 * Template bytes, as CDK writes templates, per thing the layout holds; measured on synthesized fleets
 * (test/lib/fleet-layout.test.ts checks the estimate against real synthesis), rounded up.
 */
const TEMPLATE_BYTES = {
  /** The main stack without targets: functions, roles, state machine, watchdog, dashboard frame. */
  mainFixed: 110_000,
  /**
   * What each target of the fleet adds to the main stack wherever its alarms live: its entry in the
   * config the state machine carries and in the sweep's schedule; plus bytes per character of its
   * name and of its resources' names.
   */
  mainPerTarget: 550,
  mainPerTargetNameChar: 12,
  mainPerResourceNameChar: 6,
  /** Granted by ARN (no `grantByTag`): its stream and application in every role that reads or changes them. */
  grantsPerTarget: 4_300,
  grantsPerResourceNameChar: 12,
  /** A nested group's queue, queue policy, queue alarm, dashboard frame and parameters. */
  nestedFixed: 5_000,
  /** An alarm, with its line on its stack's dashboard, plus bytes per character of its target's name. */
  alarm: 1_350,
  alarmPerTargetNameChar: 8,
  rule: 1_300,
  /** An `AWS::CloudFormation::Stack` resource in the main stack. */
  nestedStackResource: 700,
} as const;

/**
 * Resources the main stack holds besides its target group and nested stacks, with room for the IAM
 * managed policies CDK splits off a role whose inline policy grows past IAM's inline size quota.
 */
export const MAIN_STACK_RESERVED_RESOURCES = 120;

/**
 * IAM's size quotas on one role: 10,240 characters of inline policies, and 10 managed policies of
 * 6,144 characters each (docs/fleet.md). CDK moves the statements past the inline quota into managed
 * policies of up to 6,000 characters by its own estimate, whole statements at a time, so a role's
 * resource lists are cut into statements that fill one managed policy each.
 */
export const IAM_ROLE_LIMITS = { managedPoliciesPerRole: 10 } as const;
/** What a statement may take by CDK's estimate, under its 6,000-character managed policy with room for the envelope. */
const STATEMENT_BUDGET_CHARS = 5_900;
/**
 * The length CDK gives an ARN of an environment-agnostic stack when it sizes a policy, besides the
 * name: `arn:${Token[AWS.Partition.n]}:kinesisanalytics:${Token[AWS.Region.n]}:${Token[AWS.AccountId.n]}:application/`
 * with quotes and comma, the longer of the stream and the application forms. It is longer than the ARN
 * IAM will count, so a statement CDK sizes within budget is within IAM's quota.
 */
const ARN_ESTIMATE_CHARS = 115;

/** ARNs one IAM statement lists, for resource names of at most `longestName` characters. */
export function arnsPerStatement(longestName: number): number {
  return Math.max(1, Math.floor(STATEMENT_BUDGET_CHARS / (ARN_ESTIMATE_CHARS + longestName)));
}

/** The longest stream or application name of the config: it sizes every grant's statements. */
export function longestResourceName(config: Pick<StreamMedicConfig, 'targets'>): number {
  return Math.max(0, ...config.targets.flatMap((t) => [t.stream?.name.length ?? 0, t.application?.name.length ?? 0]));
}

/** What CDK keeps inline of a role's policy, by its estimate, less the statements every role holds. */
const INLINE_BUDGET_CHARS = 10_000 - 2_000;
const MANAGED_POLICY_BUDGET_CHARS = 6_000;
/** A statement's actions, effect and brackets, besides its ARNs. */
const STATEMENT_ENVELOPE_CHARS = 100;

/**
 * Managed policies CDK will attach to the role with the most ARN statements: `apply` lists each `auto`
 * target's stream and application in two statements each, `assess` and `verify` every target's once
 * (docs/iam.md). Statements stay inline while they fit, then fill managed policies in order.
 */
export function largestRoleManagedPolicies(config: StreamMedicConfig): number {
  // Granted by tag, each grant is one ARN pattern whatever the fleet's size.
  if (config.grantByTag !== undefined) return 0;
  const longest = longestResourceName(config);
  const perStatement = arnsPerStatement(longest);
  const statementSizes = (count: number): number[] =>
    Array.from({ length: Math.ceil(count / perStatement) }, (_, index) => {
      const arns = Math.min(perStatement, count - index * perStatement);
      return STATEMENT_ENVELOPE_CHARS + arns * (ARN_ESTIMATE_CHARS + longest);
    });
  const count = (targets: readonly TargetConfig[], kind: 'stream' | 'application'): number =>
    new Set(targets.flatMap((t) => (t[kind] ? [t[kind].name] : []))).size;
  const auto = config.targets.filter((t) => t.mode === 'auto');
  const autoStreams = statementSizes(count(auto, 'stream'));
  const autoApps = statementSizes(count(auto, 'application'));
  const apply = [...autoStreams, ...autoApps, ...autoStreams, ...autoApps];
  const assess = [
    ...statementSizes(count(config.targets, 'stream')),
    ...statementSizes(count(config.targets, 'application')),
  ];
  return Math.max(managedPoliciesFor(apply), managedPoliciesFor(assess));
}

function managedPoliciesFor(statements: readonly number[]): number {
  let inline = 0;
  let policies = 0;
  let current = MANAGED_POLICY_BUDGET_CHARS;
  for (const size of statements) {
    if (policies === 0 && inline + size <= INLINE_BUDGET_CHARS) {
      inline += size;
    } else if (current + size <= MANAGED_POLICY_BUDGET_CHARS) {
      current += size;
    } else {
      policies += 1;
      current = size;
    }
  }
  return policies;
}

export interface StackPrediction {
  /** `main`, or `target group <n>` for a nested stack. */
  readonly stack: string;
  readonly targets: number;
  /** Alarms, "cannot see" alarms, rules (and for a nested group its queue, policy and queue alarm). */
  readonly targetResources: number;
  /** Upper bound of the stack's resources: exact for a nested group; the main stack adds its reserve. */
  readonly resources: number;
  readonly templateBytes: number;
  /** The main stack's: the managed policies of the role with the most grants. */
  readonly roleManagedPolicies?: number;
}

export interface LimitBreach {
  readonly stack: string;
  readonly limit: string;
  readonly predicted: number;
  readonly allowed: number;
}

export function predictStacks(config: StreamMedicConfig, region: string | undefined): StackPrediction[] {
  const groups = planTargetGroups(config, region);
  const alarmBytesOf = (target: string): number =>
    TEMPLATE_BYTES.alarm + TEMPLATE_BYTES.alarmPerTargetNameChar * target.length;
  return groups.map((group) => {
    const targetResources = groupResourceCount(group);
    const alarmBytes =
      [...group.alarms, ...group.blindAlarms].reduce((sum, alarm) => sum + alarmBytesOf(alarm.target), 0) +
      group.rules.length * TEMPLATE_BYTES.rule;
    if (group.index > 0) {
      return {
        stack: `target group ${group.index + 1}`,
        targets: group.targets.length,
        targetResources,
        resources: targetResources,
        templateBytes: TEMPLATE_BYTES.nestedFixed + alarmBytes,
      };
    }
    const nested = groups.length - 1;
    return {
      stack: 'main',
      targets: group.targets.length,
      targetResources,
      resources: MAIN_STACK_RESERVED_RESOURCES + targetResources + nested,
      roleManagedPolicies: largestRoleManagedPolicies(config),
      templateBytes:
        TEMPLATE_BYTES.mainFixed +
        config.targets.reduce((sum, target) => sum + mainBytesOf(target, config.grantByTag === undefined), 0) +
        alarmBytes +
        nested * TEMPLATE_BYTES.nestedStackResource,
    };
  });
}

function mainBytesOf(target: TargetConfig, grantedByArn: boolean): number {
  const resourceNames = (target.stream?.name.length ?? 0) + (target.application?.name.length ?? 0);
  const grants = grantedByArn
    ? TEMPLATE_BYTES.grantsPerTarget + resourceNames * TEMPLATE_BYTES.grantsPerResourceNameChar
    : 0;
  return (
    TEMPLATE_BYTES.mainPerTarget +
    target.name.length * TEMPLATE_BYTES.mainPerTargetNameChar +
    resourceNames * TEMPLATE_BYTES.mainPerResourceNameChar +
    grants
  );
}

/** Every CloudFormation or IAM quota a predicted stack would exceed, naming the stack and the limit. */
export function limitBreaches(stacks: readonly StackPrediction[]): LimitBreach[] {
  return stacks.flatMap((s) => [
    ...(s.resources > CLOUDFORMATION_LIMITS.resources
      ? [
          {
            stack: s.stack,
            limit: 'CloudFormation resources per stack',
            predicted: s.resources,
            allowed: CLOUDFORMATION_LIMITS.resources,
          },
        ]
      : []),
    ...(s.templateBytes > CLOUDFORMATION_LIMITS.templateBytes
      ? [
          {
            stack: s.stack,
            limit: 'CloudFormation template body size (bytes, 1 MB)',
            predicted: s.templateBytes,
            allowed: CLOUDFORMATION_LIMITS.templateBytes,
          },
        ]
      : []),
    ...(s.roleManagedPolicies !== undefined && s.roleManagedPolicies > IAM_ROLE_LIMITS.managedPoliciesPerRole
      ? [
          {
            stack: s.stack,
            limit: 'IAM managed policies per role',
            predicted: s.roleManagedPolicies,
            allowed: IAM_ROLE_LIMITS.managedPoliciesPerRole,
          },
        ]
      : []),
  ]);
}
