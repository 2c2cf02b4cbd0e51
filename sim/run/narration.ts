/**
 * The events of a played scenario as lines a person follows: the alarms, what StreamMedic found and
 * did, what a guardrail stopped, what AWS did, and when the pipeline recovered. The CLI prints them
 * live; the HTML report lists them as the timeline.
 */
import type { PlayEvent } from './player';

/** What kind of line: the CLI colours by it, the report styles by it. */
export type Tone = 'alarm' | 'calm' | 'fault' | 'finding' | 'action' | 'refusal' | 'failure' | 'good' | 'info';

export interface NarratedLine {
  readonly at: number;
  /** A short upper-case label, e.g. `ALARM`, `ACTION`. */
  readonly tag: string;
  readonly text: string;
  readonly tone: Tone;
}

/** The first sentence of CloudWatch's reason is enough for a live line; the message quotes it whole. */
function firstClause(reason: string): string {
  const cut = reason.indexOf(';');
  return cut > 0 ? reason.slice(0, cut) : reason;
}

/** A narrated line for the event, or undefined for events nobody needs to follow live (successful reads). */
export function narrate(event: PlayEvent): NarratedLine | undefined {
  const line = (tag: string, text: string, tone: Tone): NarratedLine => ({ at: event.at, tag, text, tone });
  switch (event.kind) {
    case 'world': {
      const world = event.event;
      switch (world.kind) {
        case 'alarm': {
          const { change } = world;
          if (change.to === 'ALARM')
            return line('ALARM', `${change.alarmName}: ${firstClause(change.reason)}`, 'alarm');
          return line(change.to === 'OK' ? 'OK' : 'NO DATA', `${change.alarmName} is ${change.to}`, 'calm');
        }
        case 'fault':
          return line('FAULT', world.message, 'fault');
        case 'operator':
          return line('OPERATOR', world.message, 'info');
        case 'resource':
          return line('AWS', world.message, 'info');
        case 'records-lost':
          return line('LOST', world.message, 'failure');
        case 'api-call':
          return world.call.outcome === 'ok'
            ? undefined
            : line('AWS', `${world.call.api} ${world.call.resource} failed: ${world.call.outcome}`, 'failure');
        case 'manual-run':
        case 'execution-input':
          return undefined;
      }
      return undefined;
    }
    case 'run-started':
      return line('RUN', `${event.run} started by ${event.trigger}`, 'info');
    case 'target-busy':
      return line('BUSY', `${event.run} ends: another run holds the target's lock`, 'calm');
    case 'diagnosis': {
      const round = event.round > 1 ? ` (round ${event.round})` : '';
      const plan = event.planned.length > 0 ? ` Plan: ${event.planned.join('; ')} [${event.disposition}]` : '';
      return line('DIAGNOSIS', `${event.cause} (${event.severity})${round}: ${event.summary}${plan}`, 'finding');
    }
    case 'refusal':
      return line('REFUSED', `${event.guardrail}: ${event.description}`, 'refusal');
    case 'action':
      return line('ACTION', event.description, 'action');
    case 'verification':
      return line(
        'VERIFIED',
        `${event.outcome}: ${event.reason}`,
        event.outcome === 'resolved' ? 'good' : event.outcome === 'not-improved' ? 'failure' : 'info',
      );
    case 'notification':
      return line('NOTIFIED', event.subject, 'info');
    case 'run-ended':
      return event.status === 'SUCCEEDED'
        ? undefined
        : line('FAILED', `${event.run} ended ${event.status}${event.error ? `: ${event.error}` : ''}`, 'failure');
    case 'recovered':
      return line(
        'RECOVERED',
        `no lag over the threshold, no throttling and no downtime since ${new Date(event.since).toISOString().slice(11, 16)} UTC`,
        'good',
      );
  }
}

/** Lines that repeat in a cycle (a crash loop's failure and recovery) are told once, then counted. */
const COLLAPSIBLE_TAGS: ReadonlySet<string> = new Set(['AWS', 'LOST']);
/** Distinct lines one cycle may hold: a failure and its recovery. */
const MAX_CYCLE = 2;
/** Cycles shown in full before the rest are counted. */
const SHOWN_CYCLES = 1;

/** A line with its numbers taken out: two restarts of one crash loop read the same. */
function shapeOf(line: NarratedLine): string {
  return `${line.tag}|${line.text.replace(/\d+(?:[.,]\d+)*/g, '#')}`;
}

const hhmm = (ms: number): string => new Date(ms).toISOString().slice(11, 16);

/**
 * Collapses runs of repeated lines as they come: the first cycle is told, the rest become one line,
 * `42 restarts between 09:40 and 11:30`. Feed it lines with `push`, and `flush` at the end; each
 * returns the lines to show now.
 */
export class RepeatCollapser {
  private group: NarratedLine[] = [];
  private shapes: string[] = [];

  push(line: NarratedLine): NarratedLine[] {
    if (!COLLAPSIBLE_TAGS.has(line.tag)) return [...this.flush(), line];
    const shape = shapeOf(line);
    if (this.shapes.includes(shape)) {
      this.group.push(line);
      return [];
    }
    // A new shape joins a cycle that has not repeated yet; otherwise it starts a new group.
    const repeated = this.group.length > this.shapes.length;
    if (!repeated && this.shapes.length < MAX_CYCLE) {
      this.shapes.push(shape);
      this.group.push(line);
      return [];
    }
    const out = this.flush();
    this.shapes = [shape];
    this.group = [line];
    return out;
  }

  flush(): NarratedLine[] {
    const group = this.group;
    const cycle = this.shapes.length;
    this.group = [];
    this.shapes = [];
    const shown = cycle * (SHOWN_CYCLES + 1);
    if (group.length <= shown) return group;
    const head = group.slice(0, cycle * SHOWN_CYCLES);
    const rest = group.slice(head.length);
    const first = rest[0]!;
    const last = rest[rest.length - 1]!;
    const restart = head.find((l) => /restart/i.test(l.text));
    const counted = shapeOf(restart ?? head[0]!);
    const repeats = rest.filter((l) => shapeOf(l) === counted).length;
    const what = restart ? `${repeats} more restarts` : `${repeats} more like these`;
    return [
      ...head,
      {
        at: first.at,
        tag: first.tag,
        text: `${what} between ${hhmm(first.at)} and ${hhmm(last.at)}`,
        tone: first.tone,
      },
    ];
  }
}

/** The lines of a whole play, with repeated cycles collapsed. */
export function collapseRepeats(lines: readonly NarratedLine[]): NarratedLine[] {
  const collapser = new RepeatCollapser();
  return [...lines.flatMap((line) => collapser.push(line)), ...collapser.flush()];
}
