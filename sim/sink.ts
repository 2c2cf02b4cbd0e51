/**
 * Where the Flink application writes: a database, an index or another stream, reduced to how many of
 * the application's records per second it absorbs. When it absorbs fewer than the job could process,
 * the job's operators wait on it: back-pressure rises, busy time and CPU fall, and lag grows.
 */
export class SinkModel {
  private recordsPerSecond: number;

  /** @param recordsPerSecond capacity; `Infinity` for a sink that never holds the job back */
  constructor(recordsPerSecond: number = Number.POSITIVE_INFINITY) {
    this.recordsPerSecond = recordsPerSecond;
    if (!(recordsPerSecond > 0)) throw new Error(`sink capacity must be positive, got ${recordsPerSecond}`);
  }

  get capacity(): number {
    return this.recordsPerSecond;
  }

  /** The sink slows down (a throttled database, a failing-over cluster) or recovers. */
  setCapacity(recordsPerSecond: number): void {
    if (!(recordsPerSecond > 0)) throw new Error(`sink capacity must be positive, got ${recordsPerSecond}`);
    this.recordsPerSecond = recordsPerSecond;
  }
}
