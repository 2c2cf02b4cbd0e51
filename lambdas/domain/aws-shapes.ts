import * as z from 'zod';

/**
 * The parts of AWS's own response shapes that StreamMedic reads, as zod schemas. Unknown fields are
 * kept (`loose`) so a snapshot written by `aws ... describe-*` passes through untouched. Enumerations
 * AWS may extend (statuses, modes, runtimes, levels) are read as strings: a value this version does
 * not know is reported by the engine (see aws-values.ts), never a reason to refuse the snapshot.
 */

const IsoOrDate = z.union([z.iso.datetime({ offset: true }), z.date()]);

export const DimensionSchema = z.object({ Name: z.string().min(1), Value: z.string() }).loose();

export const MetricStatSchema = z
  .object({
    Metric: z
      .object({
        Namespace: z.string().min(1),
        MetricName: z.string().min(1),
        Dimensions: z.array(DimensionSchema).default([]),
      })
      .loose(),
    Period: z.number().int().positive(),
    Stat: z.string().min(1),
    Unit: z.string().optional(),
  })
  .loose();

export const MetricDataQuerySchema = z
  .object({
    Id: z.string().min(1),
    MetricStat: MetricStatSchema.optional(),
    /** A Metrics Insights query or metric math; only Insights queries name the metric they read. */
    Expression: z.string().optional(),
    /** Seconds per datapoint of an `Expression` query (a `MetricStat` carries its own). */
    Period: z.number().int().positive().optional(),
    Label: z.string().optional(),
    ReturnData: z.boolean().optional(),
  })
  .loose();
export type MetricDataQuery = z.input<typeof MetricDataQuerySchema>;

export const MetricDataResultSchema = z
  .object({
    Id: z.string().min(1),
    Label: z.string().optional(),
    StatusCode: z.string().optional(),
    Timestamps: z.array(IsoOrDate).default([]),
    Values: z.array(z.number()).default([]),
  })
  .loose()
  .superRefine((result, ctx) => {
    if (result.Timestamps.length !== result.Values.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['Values'],
        message: `has ${result.Values.length} values for ${result.Timestamps.length} timestamps`,
      });
    }
  });
export type MetricDataResult = z.input<typeof MetricDataResultSchema>;

export const GetMetricDataSchema = z
  .object({
    MetricDataQueries: z.array(MetricDataQuerySchema),
    MetricDataResults: z.array(MetricDataResultSchema),
  })
  .loose()
  .superRefine((record, ctx) => {
    // A result is only meaningful through its query (namespace, metric, statistic); an orphan is a broken file.
    const ids = new Set(record.MetricDataQueries.map((query) => query.Id));
    record.MetricDataResults.forEach((result, index) => {
      if (!ids.has(result.Id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['MetricDataResults', index, 'Id'],
          message: `no query in MetricDataQueries has Id "${result.Id}"`,
        });
      }
    });
  });
export type GetMetricDataRecord = z.input<typeof GetMetricDataSchema>;

export const StreamDescriptionSummarySchema = z
  .object({
    StreamName: z.string().min(1),
    StreamARN: z.string().optional(),
    StreamStatus: z.string().min(1),
    StreamModeDetails: z
      .object({ StreamMode: z.string().min(1) })
      .loose()
      .optional(),
    RetentionPeriodHours: z.number().int().positive(),
    OpenShardCount: z.number().int().nonnegative(),
    /** Registered enhanced fan-out consumers. */
    ConsumerCount: z.number().int().nonnegative().optional(),
    /** Shard-level metrics turned on (EnableEnhancedMonitoring); `ALL` stands for every one. */
    EnhancedMonitoring: z.array(z.object({ ShardLevelMetrics: z.array(z.string()).default([]) }).loose()).optional(),
  })
  .loose();

export const DescribeStreamSummarySchema = z
  .object({ StreamDescriptionSummary: StreamDescriptionSummarySchema })
  .loose();
export type DescribeStreamSummaryRecord = z.input<typeof DescribeStreamSummarySchema>;

const ParallelismDescriptionSchema = z
  .object({
    ConfigurationType: z.string().optional(),
    Parallelism: z.number().int().positive().optional(),
    ParallelismPerKPU: z.number().int().positive().optional(),
    CurrentParallelism: z.number().int().positive().optional(),
    AutoScalingEnabled: z.boolean().optional(),
  })
  .loose();

const MonitoringDescriptionSchema = z
  .object({
    ConfigurationType: z.string().optional(),
    MetricsLevel: z.string().min(1).optional(),
    LogLevel: z.string().min(1).optional(),
  })
  .loose();

export const ApplicationDetailSchema = z
  .object({
    ApplicationName: z.string().min(1),
    ApplicationARN: z.string().optional(),
    ApplicationStatus: z.string().min(1),
    ApplicationVersionId: z.number().int().positive(),
    RuntimeEnvironment: z.string().optional(),
    ApplicationConfigurationDescription: z
      .object({
        FlinkApplicationConfigurationDescription: z
          .object({
            ParallelismConfigurationDescription: ParallelismDescriptionSchema.optional(),
            MonitoringConfigurationDescription: MonitoringDescriptionSchema.optional(),
          })
          .loose()
          .optional(),
        ApplicationSnapshotConfigurationDescription: z.object({ SnapshotsEnabled: z.boolean() }).loose().optional(),
        ApplicationSystemRollbackConfigurationDescription: z
          .object({ RollbackEnabled: z.boolean() })
          .loose()
          .optional(),
      })
      .loose()
      .optional(),
  })
  .loose();

export const DescribeApplicationSchema = z.object({ ApplicationDetail: ApplicationDetailSchema }).loose();
export type DescribeApplicationRecord = z.input<typeof DescribeApplicationSchema>;
