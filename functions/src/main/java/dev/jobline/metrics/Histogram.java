package dev.jobline.metrics;

/**
 * Fixed latency buckets, so that counts from many invocations add up: bucket i holds the values up to
 * {@link #BOUNDS_MILLIS}[i] (and above the bound before it); the last holds everything above an hour. A percentile is
 * the upper bound of the bucket its rank falls in: "at most this", never an average of buckets.
 */
public final class Histogram {
    public static final long[] BOUNDS_MILLIS = {10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000,
            120_000, 300_000, 900_000, 3_600_000};
    /** The bounded buckets and one for what is above the last bound. */
    public static final int BUCKETS = BOUNDS_MILLIS.length + 1;

    private Histogram() {
    }

    public static int bucketOf(long millis) {
        for (int i = 0; i < BOUNDS_MILLIS.length; i++) {
            if (millis <= BOUNDS_MILLIS[i]) {
                return i;
            }
        }
        return BOUNDS_MILLIS.length;
    }

    public static long count(long[] counts) {
        long total = 0;
        for (long n : counts) {
            total += n;
        }
        return total;
    }

    /**
     * The upper bound, in milliseconds, of the bucket that holds the {@code quantile} (0..1) of the values; null when
     * there are none, or when it falls above the last bound (over an hour).
     */
    public static Long percentile(long[] counts, double quantile) {
        long total = count(counts);
        if (total == 0) {
            return null;
        }
        long rank = (long) Math.ceil(quantile * total);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= Math.max(1, rank)) {
                return i < BOUNDS_MILLIS.length ? BOUNDS_MILLIS[i] : null;
            }
        }
        return null;
    }
}
