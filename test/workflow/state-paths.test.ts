import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as z from 'zod';
import { parseConfig } from '../../lambdas/domain/config';
import { loadWorkflow } from '../../lambdas/workflow/local-runner';
import { RunStateSchema, STATE_PATHS } from '../../lambdas/workflow/state';
import { RemediationWorkflow, STATE_NAMES } from '../../lib/remediation-workflow';

/**
 * The state machine reads the run's state through JSONPaths and the tasks through zod schemas; this
 * keeps the two in step: every path the synthesized definition reads or writes names a field the
 * state schema has.
 */
function synthesizedDefinition() {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Paths', { env: { account: '123456789012', region: 'eu-west-1' } });
  const table = new dynamodb.Table(stack, 'Ledger', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
  });
  const config = parseConfig({ targets: [{ name: 'orders', mode: 'auto', stream: { name: 'orders-stream' } }] });
  new RemediationWorkflow(stack, 'Workflow', { config, table, topic: new sns.Topic(stack, 'Topic') });
  return loadWorkflow(Template.fromStack(stack).toJSON(), { region: 'eu-west-1' }).definition;
}

/** The field of `schema` at `path` (`$.a.b`), or undefined when the schema has no such field. */
function fieldAt(schema: z.ZodType, path: string): z.ZodType | undefined {
  let current: z.ZodType | undefined = schema;
  for (const key of path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)) {
    current = current && childOf(current, key);
  }
  return current;
}

function childOf(schema: z.ZodType, key: string): z.ZodType | undefined {
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
    case 'nonoptional':
      return childOf(def['innerType'] as z.ZodType, key);
    case 'pipe':
      return childOf(def['in'] as z.ZodType, key);
    case 'object':
      return (def['shape'] as Record<string, z.ZodType>)[key];
    case 'union':
      return (def['options'] as z.ZodType[]).map((option) => childOf(option, key)).find(Boolean);
    default:
      return undefined;
  }
}

/** `$.x.y` paths inside a JSONPath or an intrinsic such as `States.MathAdd($.round, 1)`; not `$$.` context paths. */
function statePathsIn(value: string): string[] {
  return [...value.matchAll(/(?<!\$)\$(?:\.[A-Za-z_][A-Za-z0-9_]*)+/g)].map((m) => m[0]);
}

/** Values of the `key.$` fields of a Parameters template, at any depth. */
function templatePaths(template: unknown): string[] {
  if (typeof template !== 'object' || template === null) return [];
  return Object.entries(template).flatMap(([key, value]) =>
    key.endsWith('.$') && typeof value === 'string' ? statePathsIn(value) : templatePaths(value),
  );
}

function choicePaths(rule: Record<string, unknown>): string[] {
  const nested = ['And', 'Or'].flatMap((k) =>
    ((rule[k] as Record<string, unknown>[] | undefined) ?? []).flatMap(choicePaths),
  );
  const not = rule['Not'] ? choicePaths(rule['Not'] as Record<string, unknown>) : [];
  const variable = typeof rule['Variable'] === 'string' ? statePathsIn(rule['Variable']) : [];
  return [...variable, ...nested, ...not];
}

/** Every state-relative JSONPath a state reads or writes, except what the execution input feeds. */
function pathsOf(name: string, state: Record<string, unknown>): string[] {
  const paths: string[] = [];
  // Intake's Parameters read the execution input, which is the alarm event, not the run's state.
  if (name !== STATE_NAMES.intake) paths.push(...templatePaths(state['Parameters']));
  for (const key of ['InputPath', 'OutputPath', 'ResultPath', 'ErrorPath', 'CausePath']) {
    if (typeof state[key] === 'string') paths.push(...statePathsIn(state[key]));
  }
  for (const rule of (state['Choices'] as Record<string, unknown>[] | undefined) ?? [])
    paths.push(...choicePaths(rule));
  for (const handler of (state['Catch'] as Record<string, unknown>[] | undefined) ?? []) {
    if (typeof handler['ResultPath'] === 'string') paths.push(...statePathsIn(handler['ResultPath']));
  }
  return paths;
}

describe('the state machine and the state schema', () => {
  const definition = synthesizedDefinition();
  const read = Object.entries(definition.States).flatMap(([name, state]) =>
    pathsOf(name, state as unknown as Record<string, unknown>).map((path) => ({ state: name, path })),
  );

  it('finds the paths the definition reads, Choice variables and intrinsics included', () => {
    const paths = new Set(read.map((r) => r.path));
    for (const path of [STATE_PATHS.disposition, STATE_PATHS.moreSteps, STATE_PATHS.round, STATE_PATHS.lockAcquired]) {
      expect(paths).toContain(path);
    }
    expect(read).toContainEqual({ state: STATE_NAMES.nextRound, path: STATE_PATHS.round });
  });

  it('resolves every one of them against the state schema', () => {
    const unresolved = read.filter(({ path }) => !fieldAt(RunStateSchema, path));
    expect(unresolved).toEqual([]);
  });

  it('resolves every path of the paths object, and no field the schema lacks', () => {
    for (const path of Object.values(STATE_PATHS)) expect(fieldAt(RunStateSchema, path)).toBeDefined();
    for (const missing of ['$.progress.more', '$.assessment.apply', '$.apply.ready', '$.verification.nextRound']) {
      expect(fieldAt(RunStateSchema, missing)).toBeUndefined();
    }
  });
});
