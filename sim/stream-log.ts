/**
 * The records in a stream, as buckets of what was accepted in each simulation step, and the read
 * position of every consumer in it. Positions are cumulative record counts, so a consumer that
 * reads, rewinds to a checkpoint or skips to the tip only moves a number.
 */

interface Bucket {
  /** When the bucket's first record was written, epoch ms. */
  readonly t: number;
  /** When its last record was written; records in between arrived evenly. */
  readonly tEnd: number;
  readonly records: number;
  readonly bytes: number;
  /** Cumulative records written up to the end of this bucket. */
  readonly cumEnd: number;
}

export interface ReadResult {
  readonly records: number;
  readonly bytes: number;
}

/** One consumer's view of the log: where it is, and what it has lost to retention. */
export class LogCursor {
  /** Cumulative records read (the next record to read is this one). */
  position = 0;
  /** Records that expired before this consumer read them. */
  expired = 0;
  /** Index hint into the log's buckets, so reading walks forward without searching. */
  bucketHint = 0;

  constructor(readonly id: string) {}
}

export class StreamLog {
  private buckets: Bucket[] = [];
  /** Buckets before this index are trimmed. */
  private head = 0;
  private written = 0;
  private trimmedTo = 0;
  private readonly cursors = new Map<string, LogCursor>();
  /** From which cumulative position on records went to how many shards, oldest first. */
  private readonly shardEpochs: { from: number; shards: number }[] = [];

  /** Cumulative records ever accepted. */
  get totalWritten(): number {
    return this.written;
  }

  /** Cumulative records trimmed by retention. */
  get trimmed(): number {
    return this.trimmedTo;
  }

  cursor(id: string): LogCursor {
    let cursor = this.cursors.get(id);
    if (!cursor) {
      cursor = new LogCursor(id);
      // A new consumer starts at the tip, as LATEST does.
      cursor.position = this.written;
      cursor.bucketHint = this.buckets.length;
      this.cursors.set(id, cursor);
    }
    return cursor;
  }

  /** Records written from `position` on go to `shards` shards (a reshard completed there). */
  markShards(position: number, shards: number): void {
    this.shardEpochs.push({ from: position, shards });
  }

  /** How many shards the record at `position` was written to. */
  shardsAt(position: number): number {
    let shards = this.shardEpochs[0]?.shards ?? 1;
    for (const epoch of this.shardEpochs) {
      if (epoch.from > position) break;
      shards = epoch.shards;
    }
    return shards;
  }

  allCursors(): IterableIterator<LogCursor> {
    return this.cursors.values();
  }

  /** Appends the records written evenly between `t` and `tEnd`. */
  append(t: number, tEnd: number, records: number, bytes: number): void {
    if (!(records > 0)) return;
    this.written += records;
    this.buckets.push({ t, tEnd, records, bytes, cumEnd: this.written });
  }

  backlog(cursor: LogCursor): number {
    return Math.max(0, this.written - cursor.position);
  }

  /** Reads up to `maxRecords` from the cursor's position; bytes follow the sizes of the records read. */
  read(cursor: LogCursor, maxRecords: number): ReadResult {
    const wanted = Math.min(maxRecords, this.backlog(cursor));
    if (!(wanted > 0)) return { records: 0, bytes: 0 };
    let remaining = wanted;
    let bytes = 0;
    let index = this.bucketIndexOf(cursor);
    while (remaining > 1e-9 && index < this.buckets.length) {
      const bucket = this.buckets[index]!;
      const available = bucket.cumEnd - cursor.position;
      const take = Math.min(available, remaining);
      bytes += take * (bucket.bytes / bucket.records);
      cursor.position += take;
      remaining -= take;
      if (cursor.position >= bucket.cumEnd - 1e-9) index += 1;
    }
    cursor.bucketHint = index;
    return { records: wanted - remaining, bytes };
  }

  /** Moves a cursor, clamped to what is still retained and what was written. */
  seek(cursor: LogCursor, position: number): void {
    cursor.position = Math.min(this.written, Math.max(this.trimmedTo, position));
    cursor.bucketHint = this.head;
  }

  /** Milliseconds between `now` and the write time of the cursor's next record; 0 when caught up. */
  ageMs(cursor: LogCursor, now: number): number {
    if (this.backlog(cursor) < 1) return 0;
    const index = this.bucketIndexOf(cursor);
    const bucket = this.buckets[index];
    if (!bucket) return 0;
    const into = (cursor.position - (bucket.cumEnd - bucket.records)) / bucket.records;
    const written = bucket.t + Math.min(1, Math.max(0, into)) * (bucket.tEnd - bucket.t);
    return Math.max(0, now - written);
  }

  /** The write time of the oldest retained record, or undefined when the log is empty. */
  oldestTime(): number | undefined {
    return this.buckets[this.head]?.t;
  }

  /**
   * Drops the records written before `cutoff`. A consumer that had not read them loses them; the
   * returned map says how many each lost.
   */
  trimBefore(cutoff: number): Map<string, number> {
    const losses = new Map<string, number>();
    while (this.head < this.buckets.length && this.buckets[this.head]!.tEnd <= cutoff) {
      this.trimmedTo = this.buckets[this.head]!.cumEnd;
      this.head += 1;
    }
    for (const cursor of this.cursors.values()) {
      if (cursor.position < this.trimmedTo - 1e-9) {
        const lost = this.trimmedTo - cursor.position;
        cursor.expired += lost;
        cursor.position = this.trimmedTo;
        losses.set(cursor.id, lost);
      }
      if (cursor.bucketHint < this.head) cursor.bucketHint = this.head;
    }
    // Keep the array from growing without bound over a long simulation.
    if (this.head > 4096 && this.head > this.buckets.length / 2) {
      for (const cursor of this.cursors.values()) cursor.bucketHint -= this.head;
      this.buckets = this.buckets.slice(this.head);
      this.head = 0;
    }
    return losses;
  }

  /** Drops everything (the stream was deleted); returns what each consumer had not read. */
  clear(): Map<string, number> {
    const losses = new Map<string, number>();
    for (const cursor of this.cursors.values()) {
      const lost = this.backlog(cursor);
      if (lost > 0) losses.set(cursor.id, lost);
      cursor.expired += lost;
      cursor.position = this.written;
      cursor.bucketHint = 0;
    }
    this.buckets = [];
    this.head = 0;
    this.trimmedTo = this.written;
    return losses;
  }

  private bucketIndexOf(cursor: LogCursor): number {
    let index = Math.max(cursor.bucketHint, this.head);
    // The hint may be ahead after a rewind; walk back, then forward to the bucket holding the position.
    while (index > this.head && index - 1 < this.buckets.length && this.buckets[index - 1]!.cumEnd > cursor.position) {
      index -= 1;
    }
    while (index < this.buckets.length && this.buckets[index]!.cumEnd <= cursor.position + 1e-9) index += 1;
    cursor.bucketHint = index;
    return index;
  }
}
