package dev.jobline.sweeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jobline.job.Job;
import dev.jobline.job.JobStatus;
import dev.jobline.job.JobType;
import dev.jobline.lifecycle.Cause;
import dev.jobline.lifecycle.JobMoved;
import dev.jobline.store.DynamoJobStore;
import dev.jobline.store.Lease;
import dev.jobline.testing.InMemoryQueue;
import dev.jobline.testing.Lifecycle;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sweeper on the lifecycle, with an in-memory table and queue. */
class SweeperTest {
    private static final JobType ECHO = JobType.of("echo", context -> context.payload());
    /** The template's: a crashed attempt's own message returns within a minute of its lease, a sweep comes a minute later. */
    private static final Duration GRACE = Duration.ofMinutes(2);
    private final Lifecycle doubles = new Lifecycle(100);
    private final InMemoryQueue queue = new InMemoryQueue();
    private final Sweeper sweeper = new Sweeper(doubles.lifecycle, doubles.store, queue, 1, 100,
            Duration.ofMinutes(15), GRACE);

    private SweepReport sweep() {
        return sweeper.sweep(() -> Duration.ofMinutes(1));
    }

    /**
     * A job claimed by a worker that died at once (its lease runs 5 minutes), with the in-flight index entry a version
     * of Jobline before the queue carried every job gave it at its submission (15 minutes on).
     */
    private Job crashed(String jobId) {
        doubles.created(jobId, ECHO);
        doubles.store.leftInIndex(jobId, doubles.clock.instant().plus(Duration.ofMinutes(15)));
        doubles.lifecycle.claim(jobId, new Lease("crashed/" + jobId, doubles.clock.instant().plus(Duration.ofMinutes(5)))).orElseThrow();
        doubles.lifecycle.flush();
        return doubles.store.find(jobId).orElseThrow();
    }

    @Test
    void aJobTheQueueCarriesIsNeverInTheSweepersIndex() {
        doubles.created("job-1", ECHO);
        doubles.lifecycle.claim("job-1", new Lease("crashed/m1", doubles.clock.instant().plus(Duration.ofMinutes(5)))).orElseThrow();
        doubles.clock.advance(Duration.ofHours(2));

        SweepReport report = sweep();

        assertEquals(0, report.itemsRead(), "its message brings a crashed attempt's job back: the sweeper reads nothing");
        assertEquals(List.of(), queue.sentJobIds());
    }

    @Test
    void aFarOffJobIsSentBeforeItsRunAtDelayedToItAndLeavesTheIndex() {
        Instant runAt = doubles.clock.instant().plus(Duration.ofHours(3));
        doubles.store.create(doubles.newJob("job-far", ECHO).withOptions(null, runAt, null, null));
        doubles.clock.advance(Duration.ofHours(3).minus(DynamoJobStore.SEND_AHEAD).plusSeconds(30));

        SweepReport report = sweep();

        assertEquals(1, report.resent());
        assertEquals(List.of("job-far"), queue.sentJobIds());
        Duration delay = queue.sent.get(0).delay();
        assertTrue(delay.compareTo(Duration.ofMinutes(12)) > 0 && delay.compareTo(Duration.ofMinutes(13)) < 0,
                "arrives at its runAt: " + delay);
        assertEquals(0, sweep().itemsRead(), "out of the index once its message is sent");
    }

    @Test
    void aFarOffJobWhoseSendFailsStaysForTheNextSweep() {
        Instant runAt = doubles.clock.instant().plus(Duration.ofHours(3));
        doubles.store.create(doubles.newJob("job-far", ECHO).withOptions(null, runAt, null, null));
        doubles.clock.advance(Duration.ofHours(3));
        queue.failSends();

        assertEquals(0, sweep().resent());

        queue.healSends();
        assertEquals(1, sweep().resent());
        assertEquals(List.of("job-far"), queue.sentJobIds());
    }

    @Test
    void aCrashedJobWhoseMessageMayStillComeBackIsLeftToIt() {
        doubles.created("job-1", ECHO);
        doubles.store.leftInIndex("job-1", doubles.clock.instant().plus(Duration.ofMinutes(15)));
        doubles.lifecycle.claim("job-1", new Lease("crashed/m1", doubles.clock.instant().plus(Duration.ofMinutes(15)))).orElseThrow();
        // past its sweepAt (15 minutes) and its lease, but within the time its message takes to come back
        doubles.clock.advance(Duration.ofMinutes(16));
        int moves = doubles.recorded.moves.size();

        SweepReport report = sweep();

        assertEquals(1, report.deferred());
        assertEquals(0, report.requeued());
        assertEquals(moves, doubles.recorded.moves.size(), "nothing moved");
        assertEquals(JobStatus.RUNNING, doubles.store.find("job-1").orElseThrow().status());
        assertEquals(List.of(), queue.sentJobIds());
    }

    @Test
    void pastItsGraceACrashedJobIsRequeuedAnnouncedOnceAndSent() {
        crashed("job-1");
        doubles.clock.advance(Duration.ofMinutes(5).plus(GRACE).plusSeconds(1).plus(Duration.ofMinutes(15)));

        SweepReport report = sweep();

        assertEquals(1, report.requeued());
        assertEquals(List.of("job-1"), queue.sentJobIds());
        JobMoved requeued = doubles.recorded.moves.get(doubles.recorded.moves.size() - 1);
        assertEquals(List.of("->QUEUED", "QUEUED>RUNNING", "RUNNING>QUEUED"), doubles.recorded.of("job-1"));
        assertEquals(Cause.SWEEPER, requeued.cause());
        assertTrue(requeued.leaseExpired());
    }
}
