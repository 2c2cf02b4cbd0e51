/**
 * The workflow's input: an EventBridge `CloudWatch Alarm State Change` event for one of StreamMedic's
 * own alarms, an operator's `{"target": "orders", "dryRun": true}`, or the sweep's
 * `{"sweep": {"target": "orders", "alarmNames": [...]}}` for a target whose alarm stays in ALARM. All
 * become one shape.
 */
// A namespace import lets esbuild leave out the parts of zod nobody uses (its locales, JSON Schema).
import * as z from 'zod';
import { DEFAULT_ALARM_NAME_PREFIX, alarmDefinitionsForTarget, targetFromAlarmName } from '../domain/alarm-definitions';
import { effectivePolicy, type StreamMedicConfig } from '../domain/config';
import type { RunContext, Trigger } from '../domain/run-state';
import { InvalidInputError, assertJsonDepth, formatPath } from '../domain/validation';

export const ALARM_STATE_CHANGE = 'CloudWatch Alarm State Change';

const AlarmStateChangeSchema = z
  .object({
    'detail-type': z.literal(ALARM_STATE_CHANGE),
    source: z.literal('aws.cloudwatch'),
    resources: z.array(z.string()).default([]),
    detail: z
      .object({
        alarmName: z.string().min(1),
        state: z
          .object({
            value: z.literal('ALARM', { message: 'must be ALARM: only alarms going into ALARM start a run' }),
            reason: z.string().optional(),
            timestamp: z.string().optional(),
          })
          .loose(),
      })
      .loose(),
  })
  .loose();

export const ManualInputSchema = z
  .object({
    target: z.string({ message: 'must be the name of a configured target' }).min(1),
    /** Omitted means a live run; whether it changes anything still depends on the target's mode. */
    dryRun: z.boolean({ message: 'must be true or false' }).default(false),
  })
  .strict();
export type ManualInput = z.input<typeof ManualInputSchema>;

/** What the sweep starts a run with: the target, and its alarms that were still in ALARM. */
export const SweepInputSchema = z
  .object({
    sweep: z
      .object({
        target: z.string({ message: 'must be the name of a configured target' }).min(1),
        alarmNames: z.array(z.string().min(1)),
        /** The target runs a catch-up boost that is to come back off once its backlog has drained (boost.ts). */
        boost: z.literal(true).optional(),
        /** A resource of the target runs an incident's scale-up that comes back once the traffic has passed (scale-back.ts). */
        scaleBack: z.literal(true).optional(),
      })
      .strict()
      .refine((sweep) => sweep.alarmNames.length > 0 || sweep.boost === true || sweep.scaleBack === true, {
        message:
          "must name at least one alarm in ALARM, unless the run follows up a catch-up boost or an incident's scale-up",
        path: ['alarmNames'],
      }),
  })
  .strict();
export type SweepInput = z.input<typeof SweepInputSchema>;

/** The input reduced to what the run needs, before the config is consulted. */
export interface WorkflowRequest {
  readonly target: string;
  readonly dryRun: boolean;
  readonly trigger: Trigger;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  // An unknown key is the field at fault, not the object that holds it (`dryrun` for `dryRun`).
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
  const detail =
    issue.code === 'unrecognized_keys' ? 'is not a known field (expected "target" and "dryRun")' : issue.message;
  throw new InvalidInputError(formatPath(path) || '(root)', detail);
}

/**
 * Step Functions' largest state input, in UTF-8 bytes (StateEnteredEventDetails `input`, 262144): an
 * execution input past it never reaches a real run, so a local run refuses it too.
 */
export const MAX_WORKFLOW_INPUT_BYTES = 262_144;

/**
 * Refuses input nested past the JSON depth limit every StreamMedic reader keeps, or larger than Step
 * Functions lets a state take, before anything walks it: hostile shapes stop here with the place named.
 */
function assertWorkflowInputSize(raw: unknown): void {
  assertJsonDepth(raw);
  const bytes = Buffer.byteLength(JSON.stringify(raw) ?? '', 'utf8');
  if (bytes > MAX_WORKFLOW_INPUT_BYTES) {
    throw new InvalidInputError(
      '(root)',
      `is ${bytes} bytes; a workflow input holds at most ${MAX_WORKFLOW_INPUT_BYTES}`,
    );
  }
}

/**
 * Validates and normalises the raw execution input. Throws InvalidInputError naming the bad field,
 * so the failed execution says what to fix.
 */
export function parseWorkflowInput(raw: unknown, alarmNamePrefix: string = DEFAULT_ALARM_NAME_PREFIX): WorkflowRequest {
  assertWorkflowInputSize(raw);
  if (!isRecord(raw)) {
    throw new InvalidInputError(
      '(root)',
      'expected an alarm state change event or {"target": "<name>", "dryRun": true}',
    );
  }
  if ('detail-type' in raw || 'source' in raw) {
    // Whoever may start an execution could otherwise run a live change while asking for a dry run.
    if ('dryRun' in raw) {
      throw new InvalidInputError(
        'dryRun',
        'an alarm event cannot ask for a dry run; start a manual run with {"target": "<name>", "dryRun": true}',
      );
    }
    const event = parse(AlarmStateChangeSchema, raw);
    const alarmName = event.detail.alarmName;
    const target = targetFromAlarmName(alarmName, alarmNamePrefix);
    if (!target) {
      throw new InvalidInputError(
        'detail.alarmName',
        `"${alarmName}" is not a StreamMedic alarm (expected "${alarmNamePrefix}-<target>-<kind>")`,
      );
    }
    const alarmArn = event.resources[0];
    if (alarmArn !== undefined && alarmNameOfArn(alarmArn) !== alarmName) {
      throw new InvalidInputError('resources[0]', `"${alarmArn}" is not the ARN of alarm "${alarmName}"`);
    }
    const state = event.detail.state;
    // Event text reaches on-call's message; text that is not plainly CloudWatch's own is dropped.
    const reason = state.reason !== undefined ? plainEventText(state.reason) : undefined;
    const changedAt = state.timestamp !== undefined && EVENT_TIME.test(state.timestamp) ? state.timestamp : undefined;
    return {
      target,
      dryRun: false,
      trigger: {
        kind: 'alarm',
        alarmName,
        ...(alarmArn ? { alarmArn } : {}),
        ...(reason ? { reason } : {}),
        ...(changedAt ? { changedAt } : {}),
      },
    };
  }
  if ('sweep' in raw) {
    const { sweep } = parse(SweepInputSchema, raw);
    return {
      target: sweep.target,
      dryRun: false,
      trigger: {
        kind: 'sweep',
        alarmNames: sweep.alarmNames,
        ...(sweep.boost ? { boost: true } : {}),
        ...(sweep.scaleBack ? { scaleBack: true } : {}),
      },
    };
  }
  const manual = parse(ManualInputSchema, raw);
  return { target: manual.target, dryRun: manual.dryRun, trigger: { kind: 'manual' } };
}

/** What started a run, in a word for logs and records: the alarm's name, `sweep` or `manual`. */
export function triggerLabel(trigger: Trigger): string {
  switch (trigger.kind) {
    case 'alarm':
      return trigger.alarmName;
    case 'sweep':
      return 'sweep';
    case 'manual':
      return 'manual';
  }
}

/** `arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>`: the name, or undefined for any other ARN. */
function alarmNameOfArn(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:(.+)$/.exec(arn)?.[1];
}

/** CloudWatch's event time, e.g. `2026-11-21T10:14:31.214+0000`. */
const EVENT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;

/** CloudWatch's longest state reason. */
const MAX_REASON_LENGTH = 1023;
/** What CloudWatch's reasons are made of: words, numbers, dates, brackets and `OK -> ALARM`. */
const PLAIN_TEXT = /^[A-Za-z0-9 ()[\],.:;/+\-%>_']*$/;
/** A host name or an address: `example.com`, `www.x`, `http://`, `user@host`. */
const LINK_LIKE = /[A-Za-z0-9-]\.[A-Za-z]{2,}|:\/\/|@/;

/**
 * The alarm's reason if it is plain text of the kind CloudWatch writes, else undefined: anyone who may
 * start an execution can forge an alarm event, so a reason with a link, an address or markup is dropped
 * rather than passed on to on-call.
 */
export function plainEventText(text: string): string | undefined {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (!flat || flat.length > MAX_REASON_LENGTH || !PLAIN_TEXT.test(flat) || LINK_LIKE.test(flat)) return undefined;
  return flat;
}

/**
 * Attaches the target's config and policy; an unknown target fails naming the field it came from. An
 * alarm must be one the stack creates for that target: a name that merely looks like one is refused.
 */
export function toRunContext(
  request: WorkflowRequest,
  config: StreamMedicConfig,
  execution: { readonly executionId: string; readonly startedAt: string; readonly region: string },
): RunContext {
  const target = config.targets.find((t) => t.name === request.target);
  if (!target) {
    const field =
      request.trigger.kind === 'alarm'
        ? 'detail.alarmName'
        : request.trigger.kind === 'sweep'
          ? 'sweep.target'
          : 'target';
    const known = config.targets.map((t) => `"${t.name}"`).join(', ');
    throw new InvalidInputError(field, `no target named "${request.target}" is configured (known: ${known})`);
  }
  if (request.trigger.kind !== 'manual') {
    const [field, names] =
      request.trigger.kind === 'alarm'
        ? ['detail.alarmName', [request.trigger.alarmName]]
        : ['sweep.alarmNames', request.trigger.alarmNames];
    const own = alarmDefinitionsForTarget(config, target).map((d) => d.alarmName);
    for (const alarmName of names) {
      if (!own.includes(alarmName)) {
        throw new InvalidInputError(
          field,
          `"${alarmName}" is not an alarm of target "${target.name}" (its alarms: ${own.map((n) => `"${n}"`).join(', ')})`,
        );
      }
    }
  }
  return {
    target: target.name,
    dryRun: request.dryRun,
    trigger: request.trigger,
    executionId: execution.executionId,
    startedAt: execution.startedAt,
    region: config.region ?? execution.region,
    config: target,
    policy: effectivePolicy(config, target),
  };
}
