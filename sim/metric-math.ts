import type { AlarmValue } from '../lambdas/domain/alarm-definitions';

/**
 * CloudWatch metric math as far as StreamMedic's alarms use it, for the simulated CloudWatch and
 * the bench: the deployed alarms are evaluated by CloudWatch itself, so nothing in the Lambdas needs it.
 */

/**
 * Evaluates an alarm's value at one timestamp from the inputs' datapoints there (undefined when an
 * input has none; an Insights query's value is given under its id). Returns undefined when the expression has no value, as CloudWatch reports a gap.
 */
export function evaluateAlarmValue(
  value: AlarmValue,
  datapoints: Readonly<Record<string, number | undefined>>,
): number | undefined {
  if (value.type === 'metric') return datapoints[value.metric.id];
  // A Metrics Insights query is one value per period, computed by CloudWatch from every series it matches.
  if (value.type === 'insights') return datapoints[value.id];
  const scope: Record<string, number | undefined> = {};
  for (const input of value.inputs) scope[input.id] = datapoints[input.id];
  for (const step of value.steps) scope[step.id] = evaluateMetricMath(step.expression, scope);
  return evaluateMetricMath(value.expression, scope);
}

/** A metric-math expression outside the subset {@link evaluateMetricMath} understands. */
export class MetricMathError extends Error {
  override readonly name = 'MetricMathError';
  constructor(
    readonly expression: string,
    detail: string,
  ) {
    super(`metric math "${expression}": ${detail}`);
  }
}

/**
 * A small evaluator for the metric-math subset the definitions use: numbers, ids, `+ - * /`,
 * parentheses and `MAX([a, b, ...])`. As in CloudWatch, arithmetic with a missing value is missing,
 * MAX skips missing values, and division by zero gives no value.
 */
export function evaluateMetricMath(
  expression: string,
  values: Readonly<Record<string, number | undefined>>,
): number | undefined {
  const tokens = expression.match(/\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*|[-+*/()[\],]|\S/g) ?? [];
  let position = 0;
  const peek = (): string | undefined => tokens[position];
  const expect = (token: string): void => {
    if (tokens[position] !== token) {
      throw new MetricMathError(expression, `expected "${token}" at token ${position}`);
    }
    position += 1;
  };
  const arithmetic = (op: string, a: number | undefined, b: number | undefined): number | undefined => {
    if (a === undefined || b === undefined) return undefined;
    switch (op) {
      case '+':
        return a + b;
      case '-':
        return a - b;
      case '*':
        return a * b;
      default:
        return b === 0 ? undefined : a / b;
    }
  };
  const factor = (): number | undefined => {
    const token = peek();
    if (token === undefined) throw new MetricMathError(expression, `unexpected end`);
    position += 1;
    if (token === '(') {
      const inner = sum();
      expect(')');
      return inner;
    }
    if (token === '-') {
      const operand = factor();
      return operand === undefined ? undefined : -operand;
    }
    if (token === 'MAX') {
      expect('(');
      expect('[');
      const items = [sum()];
      while (peek() === ',') {
        position += 1;
        items.push(sum());
      }
      expect(']');
      expect(')');
      const present = items.filter((item): item is number => item !== undefined);
      return present.length === 0 ? undefined : Math.max(...present);
    }
    if (/^\d/.test(token)) return Number(token);
    if (/^[A-Za-z_]/.test(token)) {
      if (!(token in values)) throw new MetricMathError(expression, `unknown id "${token}"`);
      return values[token];
    }
    throw new MetricMathError(expression, `unexpected "${token}"`);
  };
  const product = (): number | undefined => {
    let left = factor();
    while (peek() === '*' || peek() === '/') {
      const op = tokens[position]!;
      position += 1;
      left = arithmetic(op, left, factor());
    }
    return left;
  };
  const sum = (): number | undefined => {
    let left = product();
    while (peek() === '+' || peek() === '-') {
      const op = tokens[position]!;
      position += 1;
      left = arithmetic(op, left, product());
    }
    return left;
  };
  const result = sum();
  if (position !== tokens.length) {
    throw new MetricMathError(expression, `unexpected "${tokens[position]}"`);
  }
  return result;
}
