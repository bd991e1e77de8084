package dev.jobline.store;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What happened to each job type, in fixed time buckets: jobs submitted and ended, and histograms of attempt run times
 * and queue waits with fixed bounds ({@link dev.jobline.metrics.Histogram}). An invocation adds what its moves did
 * in one write per type and bucket; a reader sums the buckets it asks for.
 */
public interface TypeActivityStore {

    /** One type's figures in a bucket (or summed over several); the histograms are counts per fixed bound. */
    record Figures(long submitted, long succeeded, long failed, long cancelled, long[] runTime, long[] queueWait) {

        public boolean isEmpty() {
            return submitted == 0 && succeeded == 0 && failed == 0 && cancelled == 0
                    && java.util.Arrays.stream(runTime).allMatch(n -> n == 0)
                    && java.util.Arrays.stream(queueWait).allMatch(n -> n == 0);
        }
    }

    /** Adds {@code delta} to the type's bucket starting at {@code bucketStart}; the bucket is kept until {@code keepUntil}. */
    void add(String type, Instant bucketStart, Figures delta, Instant keepUntil);

    /** The figures of each type summed over the given buckets (a type with none: all zeros). */
    Map<String, Figures> read(Collection<String> types, List<Instant> bucketStarts);
}
