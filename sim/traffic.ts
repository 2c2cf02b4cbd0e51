import { NOISE_CHANNEL, normalAt } from './random';

/** A change to the producers' traffic, at minutes from the start of the simulation. */
export type TrafficEvent =
  /** From `atMinute` on, traffic is `factor` times what it was. */
  | { readonly type: 'step'; readonly atMinute: number; readonly factor: number }
  /** Traffic grows (or shrinks) linearly to `factor` times between the two minutes, then stays there. */
  | { readonly type: 'ramp'; readonly fromMinute: number; readonly toMinute: number; readonly factor: number }
  /** Traffic is `factor` times higher for `durationMinutes`, then returns. */
  | { readonly type: 'spike'; readonly atMinute: number; readonly durationMinutes: number; readonly factor: number }
  /** A square wave: `factor` times higher for `duty` of every `periodMinutes`, between the two minutes. */
  | {
      readonly type: 'flap';
      readonly fromMinute: number;
      readonly toMinute: number;
      readonly periodMinutes: number;
      readonly factor: number;
      readonly duty: number;
    }
  /** From `atMinute` (until `untilMinute`, if set), `share` of all records carry one partition key. */
  | { readonly type: 'hotKey'; readonly atMinute: number; readonly share: number; readonly untilMinute?: number };

export interface DailyShape {
  /** Relative swing around the baseline: 0.5 means from 0.5x at the trough to 1.5x at the peak. */
  readonly amplitude: number;
  /** Hour of the day (UTC, 0-24) at which traffic peaks; the trough is twelve hours later. */
  readonly peakHour: number;
}

export interface TrafficProfile {
  /** Baseline write rate, bytes per second (the daily mean when a daily shape is set). */
  readonly bytesPerSecond: number;
  /** Baseline write rate, records per second. */
  readonly recordsPerSecond: number;
  /**
   * Relative standard deviation of the rate from one 10-second slot to the next.
   * @default 0.02
   */
  readonly noise?: number;
  /** @default none: flat traffic */
  readonly dailyShape?: DailyShape;
  /**
   * Share of the traffic carried by the single hottest partition key before any `hotKey` event.
   * @default 0
   */
  readonly hotKeyShare?: number;
  /** @default [] */
  readonly events?: readonly TrafficEvent[];
}

export interface TrafficRate {
  readonly recordsPerSecond: number;
  readonly bytesPerSecond: number;
  /** Share of the records on the hottest partition key; they all land on one shard. */
  readonly hotKeyShare: number;
}

/** Length of the slots noise is drawn for: short enough to look like traffic, long enough to stay cheap. */
export const NOISE_SLOT_MS = 10_000;

const MINUTE_MS = 60_000;

/** Producers' demand over time: a baseline times a daily shape and the scenario's events, plus noise. */
export class TrafficModel {
  private readonly noise: number;
  private readonly events: readonly TrafficEvent[];

  constructor(
    private readonly profile: TrafficProfile,
    private readonly startMs: number,
    private readonly seed: number,
  ) {
    this.noise = profile.noise ?? 0.02;
    this.events = profile.events ?? [];
  }

  /** The multiplier on the baseline at `timeMs`, without noise. */
  multiplier(timeMs: number): number {
    const minute = (timeMs - this.startMs) / MINUTE_MS;
    let factor = 1;
    const shape = this.profile.dailyShape;
    if (shape) {
      const hour = (((timeMs / 3_600_000) % 24) + 24) % 24;
      factor *= 1 + shape.amplitude * Math.cos((2 * Math.PI * (hour - shape.peakHour)) / 24);
    }
    for (const event of this.events) factor *= eventFactor(event, minute);
    return Math.max(0, factor);
  }

  hotKeyShare(timeMs: number): number {
    const minute = (timeMs - this.startMs) / MINUTE_MS;
    let share = this.profile.hotKeyShare ?? 0;
    for (const event of this.events) {
      if (event.type !== 'hotKey' || minute < event.atMinute) continue;
      if (event.untilMinute !== undefined && minute >= event.untilMinute) continue;
      share = event.share;
    }
    return share;
  }

  /** What producers try to write at `timeMs`; the noise is fixed per 10-second slot. */
  at(timeMs: number): TrafficRate {
    const slot = Math.floor((timeMs - this.startMs) / NOISE_SLOT_MS);
    const jitter = this.noise > 0 ? Math.max(0, 1 + this.noise * normalAt(this.seed, NOISE_CHANNEL.traffic, slot)) : 1;
    const factor = this.multiplier(timeMs) * jitter;
    return {
      recordsPerSecond: this.profile.recordsPerSecond * factor,
      bytesPerSecond: this.profile.bytesPerSecond * factor,
      hotKeyShare: this.hotKeyShare(timeMs),
    };
  }
}

function eventFactor(event: TrafficEvent, minute: number): number {
  switch (event.type) {
    case 'step':
      return minute >= event.atMinute ? event.factor : 1;
    case 'ramp': {
      if (minute <= event.fromMinute) return 1;
      if (minute >= event.toMinute) return event.factor;
      const progress = (minute - event.fromMinute) / (event.toMinute - event.fromMinute);
      return 1 + (event.factor - 1) * progress;
    }
    case 'spike':
      return minute >= event.atMinute && minute < event.atMinute + event.durationMinutes ? event.factor : 1;
    case 'flap': {
      if (minute < event.fromMinute || minute >= event.toMinute) return 1;
      const phase = ((minute - event.fromMinute) % event.periodMinutes) / event.periodMinutes;
      return phase < event.duty ? event.factor : 1;
    }
    case 'hotKey':
      return 1;
  }
}
