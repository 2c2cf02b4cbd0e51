/** Environment variables the CDK workflow sets on its functions and the Lambda entries read. */
export const ENV = {
  tableName: 'STREAM_MEDIC_TABLE_NAME',
  topicArn: 'STREAM_MEDIC_TOPIC_ARN',
  /** Region of the watched streams and applications (the config's `region`, else the stack's). */
  targetRegion: 'STREAM_MEDIC_TARGET_REGION',
  /** Which workflow task a function runs; the local runner maps functions to task cores by it. */
  task: 'STREAM_MEDIC_TASK',
} as const;
