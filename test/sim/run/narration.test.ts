import { RepeatCollapser, collapseRepeats, type NarratedLine } from '../../../sim/run/narration';

const START = Date.parse('2026-03-02T09:40:00Z');
const MINUTE = 60_000;

function aws(minute: number, text: string): NarratedLine {
  return { at: START + minute * MINUTE, tag: 'AWS', text, tone: 'info' };
}

/** A crash loop: a failure every 2.5 minutes, each followed by a recovery. */
function crashLoop(restarts: number, from = 1): NarratedLine[] {
  return Array.from({ length: restarts }, (_, i) => [
    aws(
      i * 2.5,
      `application orders-enricher: the job failed (crash loop); restart ${from + i}, rewinding ${1000 * i} records`,
    ),
    aws(i * 2.5 + 0.75, 'application orders-enricher job recovered after a failure'),
  ]).flat();
}

describe('collapseRepeats', () => {
  it('tells the first cycle of a crash loop, then counts the restarts with their time span', () => {
    const lines = collapseRepeats(crashLoop(44));

    expect(lines.map((l) => l.text)).toEqual([
      'application orders-enricher: the job failed (crash loop); restart 1, rewinding 0 records',
      'application orders-enricher job recovered after a failure',
      '43 more restarts between 09:42 and 11:28',
    ]);
  });

  it('leaves a short repetition as it is', () => {
    expect(collapseRepeats(crashLoop(2))).toEqual(crashLoop(2));
  });

  it('never folds StreamMedic lines, and starts counting afresh after one', () => {
    const alarm: NarratedLine = {
      at: START + 30 * MINUTE,
      tag: 'ALARM',
      text: 'StreamMedic-orders-app-lag',
      tone: 'alarm',
    };
    const lines = collapseRepeats([
      ...crashLoop(10),
      alarm,
      ...crashLoop(10, 11).map((l) => ({ ...l, at: l.at + 31 * MINUTE })),
    ]);

    expect(lines.map((l) => l.tag)).toEqual(['AWS', 'AWS', 'AWS', 'ALARM', 'AWS', 'AWS', 'AWS']);
    expect(lines[2]!.text).toBe('9 more restarts between 09:42 and 10:03');
    expect(lines[6]!.text).toMatch(/^9 more restarts between /);
  });

  it('counts repeats that are not restarts as lines like the first', () => {
    const lost = Array.from({ length: 6 }, (_, i) => ({ ...aws(i, `${i * 100} records expired unread`), tag: 'LOST' }));

    expect(collapseRepeats(lost).map((l) => l.text)).toEqual([
      '0 records expired unread',
      '5 more like these between 09:41 and 09:45',
    ]);
  });
});

describe('RepeatCollapser', () => {
  it('holds repeated lines back while they come and gives the count when something else happens', () => {
    const collapser = new RepeatCollapser();
    const shown = crashLoop(5).flatMap((line) => collapser.push(line));

    expect(shown).toEqual([]);
    const next: NarratedLine = { at: START + 20 * MINUTE, tag: 'RUN', text: 'run-1 started', tone: 'info' };
    expect(collapser.push(next).map((l) => l.text)).toEqual([
      'application orders-enricher: the job failed (crash loop); restart 1, rewinding 0 records',
      'application orders-enricher job recovered after a failure',
      '4 more restarts between 09:42 and 09:50',
      'run-1 started',
    ]);
    expect(collapser.flush()).toEqual([]);
  });
});
