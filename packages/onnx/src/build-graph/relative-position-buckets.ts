/**
 * DeBERTa's relative positions as lookup tables: for each distance `query - key` in
 * `[-(length - 1), length - 1]`, the column of the relative embeddings that content→position
 * (c2p) and position→content (p2c) attention read. The graph looks them up by distance, so the
 * log-bucketing (`make_log_bucket_position`) is computed here once, in transformers' float32
 * arithmetic, rather than by graph ops whose logarithm could round the other way at a bucket edge.
 */
export interface RelativePositionTables {
  /** The longest sequence the tables cover. */
  readonly length: number;
  /** `clamp(bucket(d) + span, 0, 2·span - 1)` at index `d + length - 1`. */
  readonly contentToPosition: Int32Array;
  /** `clamp(-bucket(d) + span, 0, 2·span - 1)` at index `d + length - 1`. */
  readonly positionToContent: Int32Array;
}

export interface RelativePositionSettings {
  /** `position_buckets`; 0 or less means no bucketing. */
  readonly buckets: number;
  /** `max_relative_positions`, or `max_position_embeddings` when that is below 1. */
  readonly maxRelativePositions: number;
  /** Half the rows of the relative embeddings: `buckets` when bucketing, else `maxRelativePositions`. */
  readonly span: number;
}

export function relativePositionTables(settings: RelativePositionSettings, length: number): RelativePositionTables {
  const size = 2 * length - 1;
  const contentToPosition = new Int32Array(size);
  const positionToContent = new Int32Array(size);
  const { span } = settings;
  for (let index = 0; index < size; index++) {
    const distance = index - (length - 1);
    const bucket =
      settings.buckets > 0 && settings.maxRelativePositions > 0
        ? logBucket(distance, settings.buckets, settings.maxRelativePositions)
        : distance;
    contentToPosition[index] = clamp(bucket + span, 0, 2 * span - 1);
    positionToContent[index] = clamp(-bucket + span, 0, 2 * span - 1);
  }
  return { length, contentToPosition, positionToContent };
}

/** transformers' `make_log_bucket_position` for one distance: exact near 0, logarithmic beyond `buckets / 2`. */
export function logBucket(distance: number, buckets: number, maxPosition: number): number {
  const f = Math.fround;
  const mid = Math.floor(buckets / 2);
  const absolute = distance < mid && distance > -mid ? mid - 1 : Math.abs(distance);
  if (absolute <= mid) return distance;
  // Each step rounded to float32, as torch computes it on float32 tensors.
  const ratio = f(Math.log(f(absolute / mid)));
  const range = f(Math.log(f((maxPosition - 1) / mid)));
  const scaled = f(f(ratio / range) * (mid - 1));
  return Math.sign(distance) * (Math.ceil(scaled) + mid);
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
