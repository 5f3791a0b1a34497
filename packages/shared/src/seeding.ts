import { Types, type Model } from 'mongoose';

/**
 * Deterministic ObjectIds for demo data: the record's own time, a marker per collection and a
 * counter. The same seed gives the same ids (other subgraphs store them), and ids sort by time.
 */
export function datedIdFactory(marker: number): (at: Date) => Types.ObjectId {
  let counter = 0;
  const markerHex = marker.toString(16).padStart(6, '0');
  return (at) => {
    counter += 1;
    const seconds = Math.max(0, Math.floor(at.getTime() / 1000)).toString(16).padStart(8, '0').slice(-8);
    return new Types.ObjectId(seconds + markerHex + counter.toString(16).padStart(10, '0'));
  };
}

/** Plain documents through the driver in unordered batches: no hydration, one round trip per batch. */
export class BatchWriter<T extends object> {
  private buffer: T[] = [];
  written = 0;
  constructor(
    // Any model: the writer goes through its raw collection, below mongoose's document typing.
    private readonly model: Model<never>,
    private readonly size: number,
  ) {}

  async add(doc: T): Promise<void> {
    this.buffer.push(doc);
    if (this.buffer.length >= this.size) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    await this.model.collection.insertMany(batch, { ordered: false });
    this.written += batch.length;
  }
}
