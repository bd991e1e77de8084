package dev.jobline.metrics;

import dev.jobline.job.JobStatus;
import dev.jobline.lifecycle.JobListener;
import dev.jobline.lifecycle.JobMoved;
import dev.jobline.log.Log;
import dev.jobline.store.TypeActivityStore;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Per job type, what the last hour did, for /stats and the dashboard: a listener of the lifecycle that counts jobs
 * submitted (told when each leaves the queue, in the bucket of its submission, so that the API's submission makes no
 * write here) and ended and puts attempt run times and queue waits into fixed histogram buckets, per type and
 * {@value #BUCKET_MINUTES}-minute bucket, and at {@link #flush()} adds them in one write per type and bucket. CloudWatch
 * has the same figures as metrics (JobMetrics); this copy is what the API can read back without CloudWatch.
 */
public final class TypeActivity implements JobListener {
    public static final int BUCKET_MINUTES = 5;
    public static final Duration BUCKET = Duration.ofMinutes(BUCKET_MINUTES);
    /** Buckets are kept a while past the hour they serve, then TTL removes them. */
    private static final Duration KEEP = Duration.ofHours(3);

    private final TypeActivityStore store;
    private final Map<Key, Pending> pending = new HashMap<>();

    public TypeActivity(TypeActivityStore store) {
        this.store = store;
    }

    private record Key(String type, Instant bucketStart) {
    }

    private static final class Pending {
        long submitted;
        long succeeded;
        long failed;
        long cancelled;
        final long[] runTime = new long[Histogram.BUCKETS];
        final long[] queueWait = new long[Histogram.BUCKETS];
    }

    /** The start of the bucket an instant falls in. */
    public static Instant bucketOf(Instant at) {
        long size = BUCKET.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(at.toEpochMilli(), size) * size);
    }

    @Override
    public synchronized void moved(JobMoved event) {
        if (event.submitted()) {
            // counted when it leaves the queue (below): a submission makes one write, its tenant's, and none here
            return;
        }
        Pending figures = pending.computeIfAbsent(new Key(event.type(), bucketOf(event.at())), k -> new Pending());
        if (leavesTheQueueFirst(event)) {
            // in the bucket of its submission, which its first attempt (or its end without one) tells
            pending.computeIfAbsent(new Key(event.type(), bucketOf(event.job().createdAt())), k -> new Pending()).submitted++;
        }
        // an end counts once: when it was made, or again only when its first count was lost (recounted)
        if (event.ended() || event.recounted()) {
            switch (event.to()) {
                case SUCCEEDED -> figures.succeeded++;
                case FAILED -> figures.failed++;
                case CANCELLED -> figures.cancelled++;
                default -> {
                }
            }
        }
        if (event.queueWait() != null) {
            figures.queueWait[Histogram.bucketOf(Math.max(0, event.queueWait().toMillis()))]++;
        }
        if (event.attemptTime() != null) {
            figures.runTime[Histogram.bucketOf(Math.max(0, event.attemptTime().toMillis()))]++;
        }
    }

    /**
     * A job's first attempt starts (not a takeover), or it ends without any attempt (cancelled while it waited,
     * dead-lettered): once per submission (a tenant's retry starts the count again).
     */
    private static boolean leavesTheQueueFirst(JobMoved event) {
        if (event.recounted() || event.from() == null) {
            return false;
        }
        if (event.to() == JobStatus.RUNNING) {
            return event.from() == JobStatus.QUEUED && !event.leaseExpired() && event.job().attempts() == 1;
        }
        return event.ended() && event.from() != JobStatus.RUNNING && event.job().attempts() == 0;
    }

    @Override
    public void flush() {
        Map<Key, Pending> written;
        synchronized (this) {
            written = new HashMap<>(pending);
            pending.clear();
        }
        written.forEach((key, figures) -> {
            try {
                store.add(key.type(), key.bucketStart(), new TypeActivityStore.Figures(figures.submitted, figures.succeeded,
                        figures.failed, figures.cancelled, figures.runTime, figures.queueWait), key.bucketStart().plus(KEEP));
            } catch (RuntimeException e) {
                // the jobs' own writes are done; the dashboard's last hour is short of these
                Log.warn("type_activity.not_written", "type", key.type(), "reason", e.getMessage());
            }
        });
    }
}
