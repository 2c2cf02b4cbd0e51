/**
 * The local world: a simulated Kinesis stream, Managed Flink application, sink and CloudWatch behind
 * the ports the Lambdas use, with StreamMedic's own alarms evaluated on simulated metrics.
 */
export { createWorld, SimWorld, RECOVERY_STABLE_MINUTES } from './world';
export type { WorldEvent, WorldListener, WorldOptions, WorldOutcome } from './world';
export {
  builtInScenarioNames,
  loadScenarioFile,
  parseScenario,
  resolveScenario,
  scenarioConfig,
  SCENARIO_DIR,
} from './scenario';
export type { Scenario, ScenarioExpectation, ScenarioFault, ScenarioInput } from './scenario';
export { checkExpectation } from './expectation';
export type { ExpectationResult, RunObservation } from './expectation';
export { alarmStateChangeEvent, AlarmEvaluator, decideAlarmState } from './alarm-evaluator';
export type { AlarmState, AlarmStateChange } from './alarm-evaluator';
export type { ApiCall, ResourceChange, SentNotification } from './adapters';
export type { MinuteSample } from './pipeline';
export { VirtualClock } from './clock';
