package dev.jobline.sweeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jobline.job.Job;
import dev.jobline.job.JobStatus;
import dev.jobline.job.JobType;
import dev.jobline.lifecycle.Cause;
import dev.jobline.lifecycle.JobMoved;
import dev.jobline.store.Lease;
import dev.jobline.store.TenantStore;
import dev.jobline.testing.InMemoryQueue;
import dev.jobline.testing.Lifecycle;
import java.time.Duration;
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

    /** A job claimed by a worker that died at once: its lease runs 5 minutes. */
    private Job crashed(String jobId) {
        doubles.created(jobId, ECHO);
        doubles.lifecycle.claim(jobId, new Lease("crashed/" + jobId, doubles.clock.instant().plus(Duration.ofMinutes(5)))).orElseThrow();
        doubles.lifecycle.flush();
        return doubles.store.find(jobId).orElseThrow();
    }

    @Test
    void aCrashedJobWhoseMessageMayStillComeBackIsLeftToIt() {
        doubles.created("job-1", ECHO);
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
