import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { metricQueriesFor } from '../../lambdas/domain/collect';
import { parseConfig } from '../../lambdas/domain/config';

const ROOT = join(__dirname, '..', '..');
const RECIPE = readFileSync(join(ROOT, 'docs', 'snapshot-recipe.md'), 'utf8');

/** The `["MetricName", "Stat"]` pairs of the recipe's jq list for one namespace. */
function recipeMetrics(namespace: string): string[] {
  const list = RECIPE.split(`| {ns: "${namespace}"`)[0]!;
  const block = list.slice(list.lastIndexOf('( ['));
  return [...block.matchAll(/\["([^"]+)", "([^"]+)"\]/g)].map((match) => `${match[1]} ${match[2]}`);
}

describe('docs/snapshot-recipe.md', () => {
  it('queries the metrics, with the statistics, that capture and the assess step query', () => {
    const target = parseConfig({
      targets: [{ name: 'orders', stream: { name: 'orders-stream' }, application: { name: 'orders-enricher' } }],
    }).targets[0]!;
    const catalog = (namespace: string): string[] =>
      metricQueriesFor(target)
        .filter((query) => query.MetricStat!.Metric.Namespace === namespace)
        .map((query) => `${query.MetricStat!.Metric.MetricName} ${query.MetricStat!.Stat}`);

    expect(recipeMetrics('AWS/Kinesis')).toEqual(catalog('AWS/Kinesis'));
    expect(recipeMetrics('AWS/KinesisAnalytics')).toEqual(catalog('AWS/KinesisAnalytics'));
  });

  it('asks for the one-minute period the catalog reads', () => {
    expect(RECIPE).toContain('Period: 60,');
    expect(metricQueriesFor({ stream: { name: 's' } } as never).every((query) => query.MetricStat!.Period === 60)).toBe(
      true,
    );
  });
});

describe('README.md', () => {
  it('links nothing outside the repository', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const targets = [...readme.matchAll(/\]\(([^)]+)\)/g)].map((match) => match[1]!);

    expect(targets.filter((target) => target.startsWith('../') || target.startsWith('/'))).toEqual([]);
    expect(readme).not.toContain('../shared');
  });
});
