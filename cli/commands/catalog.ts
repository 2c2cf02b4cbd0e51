/**
 * The CLI's commands by name, with the summary and usage `stream-medic --help` lists. Kept apart from
 * the commands themselves so the top-level help loads none of them; each command takes its
 * description from here.
 */
export const COMMAND_SUMMARIES = {
  diagnose: 'Diagnose an incident snapshot, or the live account, and show the bounded plan. Changes nothing.',
  capture:
    'Read the live metrics and descriptions of a stream and/or a Flink application (read-only) and write an incident snapshot.',
  run: 'Start the deployed StreamMedic workflow for a target, optionally as a dry run, and show what it did.',
  config: 'Work with the StreamMedic config file.',
  discover:
    'Read every Kinesis data stream and Managed Flink application of a region, with their tags (read-only), and write the inventory config selectors resolve targets from.',
  alarms: 'Show the CloudWatch alarms a config would deploy, target by target.',
  pause: 'Pause StreamMedic for one target or every target: from the next run on, every plan is only a recommendation.',
  resume: 'Lift a pause set with `stream-medic pause`.',
  approve: 'Approve the plan a run of a target in mode "approve" waits on; the run re-assesses, then applies it.',
  deny: 'Deny the plan a run of a target in mode "approve" waits on; nothing is changed.',
  history:
    'Show what the deployed StreamMedic changed, who paused and resumed it, and who approved or denied its plans. Changes nothing.',
  simulate:
    'Play incidents in a simulated Kinesis + Managed Flink pipeline through the real workflow: the state ' +
    'machine CDK synthesizes, the Lambda handlers, simulated AWS on a virtual clock. Needs no AWS account.',
} as const;

export type CommandName = keyof typeof COMMAND_SUMMARIES;

/** Each command's usage after its name, as commander derives it from the command's options and arguments. */
export const COMMAND_USAGES: Readonly<Record<CommandName, string>> = {
  diagnose: '[options]',
  capture: '[options]',
  run: '[options]',
  config: '[options] [command]',
  discover: '[options]',
  alarms: '[options] [file]',
  pause: '[options]',
  resume: '[options]',
  approve: '[options]',
  deny: '[options]',
  history: '[options]',
  simulate: '[options]',
};
