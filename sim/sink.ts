/**
 * Where the Flink application writes: a database, an index or another stream, reduced to how many of
 * the application's records per second it absorbs. When it absorbs fewer than the job could process,
 * the job's operators wait on it: back-pressure rises, busy time and CPU fall, and lag grows.
 *
 * A sink can also limit how many writers it serves at once (a database's connection pool or
 * `max_connections`): every sink subtask of the job holds one connection. Up to the limit the sink
 * absorbs its full capacity. Past it, the writers without a connection time out waiting for one and
 * retry, and the retries take connection time and locks from the writes that succeed (contention),
 * so the sink absorbs less the more writers there are: `capacity x maxWriters / writers`. This is
 * how a scale-up of the job can make it process less.
 */
export class SinkModel {
  private recordsPerSecond: number;
  private readonly writerLimit: number;

  /**
   * @param recordsPerSecond capacity; `Infinity` for a sink that never holds the job back
   * @param maxWriters writers served at once before contention sets in; `Infinity` for no limit
   */
  constructor(recordsPerSecond: number = Number.POSITIVE_INFINITY, maxWriters: number = Number.POSITIVE_INFINITY) {
    this.recordsPerSecond = recordsPerSecond;
    this.writerLimit = maxWriters;
    if (!(recordsPerSecond > 0)) throw new Error(`sink capacity must be positive, got ${recordsPerSecond}`);
    if (!(maxWriters >= 1)) throw new Error(`sink maxWriters must be at least 1, got ${maxWriters}`);
  }

  /** What the sink absorbs with no more writers than it serves at once. */
  get capacity(): number {
    return this.recordsPerSecond;
  }

  get maxWriters(): number {
    return this.writerLimit;
  }

  /** What the sink absorbs with this many writers (the job's running parallelism). */
  capacityFor(writers: number): number {
    if (writers <= this.writerLimit) return this.recordsPerSecond;
    return (this.recordsPerSecond * this.writerLimit) / writers;
  }

  /** The sink slows down (a throttled database, a failing-over cluster) or recovers. */
  setCapacity(recordsPerSecond: number): void {
    if (!(recordsPerSecond > 0)) throw new Error(`sink capacity must be positive, got ${recordsPerSecond}`);
    this.recordsPerSecond = recordsPerSecond;
  }
}
