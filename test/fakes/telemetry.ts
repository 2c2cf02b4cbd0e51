import type { ServiceMetricName } from '../../lambdas/domain/service-metrics';
import type { TaskTelemetry } from '../../lambdas/workflow/telemetry';

export class RecordingTelemetry implements TaskTelemetry {
  readonly logs: { level: 'info' | 'warn'; message: string; attributes: Readonly<Record<string, unknown>> }[] = [];
  readonly counts: { metric: ServiceMetricName; value: number }[] = [];

  info(message: string, attributes: Readonly<Record<string, unknown>> = {}): void {
    this.logs.push({ level: 'info', message, attributes });
  }

  warn(message: string, attributes: Readonly<Record<string, unknown>> = {}): void {
    this.logs.push({ level: 'warn', message, attributes });
  }

  count(metric: ServiceMetricName, value: number): void {
    this.counts.push({ metric, value });
  }

  total(metric: ServiceMetricName): number {
    return this.counts.filter((c) => c.metric === metric).reduce((sum, c) => sum + c.value, 0);
  }
}
