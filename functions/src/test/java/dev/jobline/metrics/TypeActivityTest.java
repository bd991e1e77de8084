package dev.jobline.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jobline.job.Job;
import dev.jobline.job.JobStatus;
import dev.jobline.job.JobType;
import dev.jobline.lifecycle.Cause;
import dev.jobline.lifecycle.JobMoved;
import dev.jobline.store.TypeActivityStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-type last-hour figures: what a move counts, one write per type and bucket at flush, percentiles as bounds. */
class TypeActivityTest {
    private static final Instant AT = Instant.parse("2026-11-30T10:07:30Z");

    /** Records every add it is given. */
    private static final class RecordingStore implements TypeActivityStore {
        final List<Object[]> adds = new ArrayList<>();

        @Override
        public void add(String type, Instant bucketStart, Figures delta, Instant keepUntil) {
            adds.add(new Object[] {type, bucketStart, delta});
        }

        @Override
        public Map<String, Figures> read(Collection<String> types, List<Instant> bucketStarts) {
            throw new UnsupportedOperationException();
        }
    }

    private static Job job(String type, JobStatus status) {
        Job submitted = Job.submitted("j-" + type, "tenant-a", JobType.of(type, context -> null), "{}", 3, 10, AT);
        return new Job(submitted.jobId(), submitted.tenantId(), submitted.type(), status, "{}", 1, 3, 10, AT, AT, null, null,
                null, null, null, null, null, null, false, null, null, 2, null, null, null, null, null, null, null, null, null, null, null);
    }

    private static JobMoved moved(String type, JobStatus from, JobStatus to, Duration wait, Duration ran, boolean recounted) {
        return new JobMoved(job(type, to), from, to, Cause.WORKER, null, wait, ran, false, AT, recounted, null);
    }

    @Test
    void aSubmissionWritesNothingHereAndCountsWhenItsFirstAttemptStartsInTheBucketOfItsSubmission() {
        RecordingStore store = new RecordingStore();
        TypeActivity activity = new TypeActivity(store);

        activity.moved(moved("echo", null, JobStatus.QUEUED, null, null, false));
        activity.flush();
        assertEquals(0, store.adds.size(), "the API's submission makes no write of its own here");

        // its first attempt starts an hour later, in another invocation
        Instant later = AT.plus(Duration.ofHours(1));
        activity.moved(new JobMoved(job("echo", JobStatus.RUNNING), JobStatus.QUEUED, JobStatus.RUNNING, Cause.WORKER, null,
                Duration.ofHours(1), null, false, later, false, null));
        // a takeover of a crashed attempt is no submission
        activity.moved(new JobMoved(job("echo", JobStatus.RUNNING), JobStatus.RUNNING, JobStatus.RUNNING, Cause.WORKER, null,
                null, null, true, later, false, null));
        activity.flush();

        long submitted = store.adds.stream().mapToLong(add -> ((TypeActivityStore.Figures) add[2]).submitted()).sum();
        assertEquals(1, submitted);
        Object[] counted = store.adds.stream().filter(add -> ((TypeActivityStore.Figures) add[2]).submitted() == 1).findFirst().orElseThrow();
        assertEquals(TypeActivity.bucketOf(AT), counted[1], "in the bucket of its submission");
    }

    @Test
    void anInvocationsMovesAreAddedInOneWritePerTypeAndBucket() {
        // given a submit, a claim that waited 40 ms, an attempt that ran 300 ms and succeeded, and a failure of another type
        RecordingStore store = new RecordingStore();
        TypeActivity activity = new TypeActivity(store);
        activity.moved(moved("echo", null, JobStatus.QUEUED, null, null, false));
        activity.moved(moved("echo", JobStatus.QUEUED, JobStatus.RUNNING, Duration.ofMillis(40), null, false));
        activity.moved(moved("echo", JobStatus.RUNNING, JobStatus.SUCCEEDED, null, Duration.ofMillis(300), false));
        activity.moved(moved("fail", JobStatus.RUNNING, JobStatus.FAILED, null, Duration.ofMillis(5), false));

        // when the invocation ends
        activity.flush();

        // then each type's figures went out once, in the 5-minute bucket of the moves
        assertEquals(2, store.adds.size());
        Object[] echo = store.adds.stream().filter(add -> add[0].equals("echo")).findFirst().orElseThrow();
        assertEquals(Instant.parse("2026-11-30T10:05:00Z"), echo[1]);
        TypeActivityStore.Figures figures = (TypeActivityStore.Figures) echo[2];
        assertEquals(1, figures.submitted());
        assertEquals(1, figures.succeeded());
        assertEquals(1, figures.queueWait()[Histogram.bucketOf(40)]);
        assertEquals(1, figures.runTime()[Histogram.bucketOf(300)]);
        activity.flush();
        assertEquals(2, store.adds.size(), "nothing is written twice");
    }

    @Test
    void anEndToldAgainBecauseItsCountsWereLostCountsOnce() {
        RecordingStore store = new RecordingStore();
        TypeActivity activity = new TypeActivity(store);

        activity.moved(moved("echo", JobStatus.RUNNING, JobStatus.SUCCEEDED, null, null, true));
        activity.flush();

        assertEquals(1, ((TypeActivityStore.Figures) store.adds.get(0)[2]).succeeded());
    }

    @Test
    void aPercentileIsTheUpperBoundOfTheBucketItsRankFallsIn() {
        long[] counts = new long[Histogram.BUCKETS];
        counts[Histogram.bucketOf(8)] = 50;      // <= 10 ms
        counts[Histogram.bucketOf(400)] = 45;    // <= 500 ms
        counts[Histogram.bucketOf(7_000)] = 5;   // <= 10 s

        assertEquals(10L, Histogram.percentile(counts, 0.50));
        assertEquals(500L, Histogram.percentile(counts, 0.95));
        assertEquals(10_000L, Histogram.percentile(counts, 0.99));
        assertNull(Histogram.percentile(new long[Histogram.BUCKETS], 0.5), "no values, no percentile");
        long[] overAnHour = new long[Histogram.BUCKETS];
        overAnHour[Histogram.bucketOf(4_000_000)] = 1;
        assertNull(Histogram.percentile(overAnHour, 0.5), "above the last bound there is no bound to give");
        assertArrayEquals(new long[] {0, 0}, new long[] {Histogram.bucketOf(0), Histogram.bucketOf(10)});
    }
}
