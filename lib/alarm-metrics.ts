import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { AlarmMetric, AlarmValue } from '../lambdas/domain/alarm-definitions';

function toMetric(input: AlarmMetric): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: input.namespace,
    metricName: input.metricName,
    dimensionsMap: { ...input.dimensions },
    statistic: input.statistic,
    period: Duration.seconds(input.periodSeconds),
    label: input.metricName,
  });
}

/** The ids a metric-math expression refers to (metric math ids start with a lower-case letter). */
function referencedIds(expression: string): Set<string> {
  return new Set(expression.match(/\b[a-z][A-Za-z0-9_]*\b/g) ?? []);
}

/** What an alarm compares with its threshold, as CDK renders it: a metric, a Metrics Insights query, or metric math. */
export function toAlarmMetric(value: AlarmValue, periodSeconds: number): cloudwatch.IMetric {
  if (value.type === 'metric') return toMetric(value.metric);
  const period = Duration.seconds(periodSeconds);
  // CloudWatch takes a Metrics Insights query as an alarm's one expression, with no metrics of its own.
  if (value.type === 'insights')
    return new cloudwatch.MathExpression({ expression: value.query, label: value.label, period });
  const known: Record<string, cloudwatch.IMetric> = {};
  for (const input of value.inputs) known[input.id] = toMetric(input);
  const using = (expression: string): Record<string, cloudwatch.IMetric> => {
    const ids = referencedIds(expression);
    return Object.fromEntries(Object.entries(known).filter(([id]) => ids.has(id)));
  };
  for (const step of value.steps) {
    known[step.id] = new cloudwatch.MathExpression({
      expression: step.expression,
      usingMetrics: using(step.expression),
      label: step.label,
      period,
    });
  }
  return new cloudwatch.MathExpression({
    expression: value.expression,
    usingMetrics: using(value.expression),
    label: value.label,
    period,
  });
}
