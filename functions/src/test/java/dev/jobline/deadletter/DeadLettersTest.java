package dev.jobline.deadletter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jobline.job.JobError;
import dev.jobline.job.JobStatus;
import dev.jobline.job.JobType;
import dev.jobline.lifecycle.Cause;
import dev.jobline.store.Lease;
import dev.jobline.testing.InMemoryQueue;
import dev.jobline.testing.Lifecycle;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The dead-letter consumer on the lifecycle, with an in-memory table and queue. */
class DeadLettersTest {
    private static final JobType ECHO = JobType.of("echo", context -> context.payload());
    private final Lifecycle doubles = new Lifecycle(100);
    private final InMemoryQueue queue = new InMemoryQueue();
    private final DeadLetters deadLetters = new DeadLetters(doubles.lifecycle, doubles.store, queue, "arn:webhooks-dlq");

    @Test
    void aDeadLetteredJobEndsFailedOnceAndItsPlaceIsGivenBack() {
        doubles.created("job-1", ECHO);

        List<String> kept = deadLetters.process(List.of(InMemoryQueue.received("job-1", "d1")));
        deadLetters.process(List.of(InMemoryQueue.received("job-1", "d2")));

        assertEquals(List.of(), kept);
        assertEquals(JobError.DEAD_LETTERED, doubles.store.find("job-1").orElseThrow().error().code());
        assertEquals(List.of("->QUEUED", "QUEUED>FAILED"), doubles.recorded.of("job-1"));
        assertEquals(Cause.DEAD_LETTER, doubles.recorded.moves.get(1).cause());
        assertEquals(0, doubles.tenants.of("tenant-a").inFlight());
        assertEquals(1L, doubles.tenants.of("tenant-a").jobs().get(JobStatus.FAILED));
    }

    @Test
    void aDeadLetteredCopyOfARunningJobIsReplacedAndMovesNothing() {
        doubles.created("job-1", ECHO);
        doubles.lifecycle.claim("job-1", new Lease("live/m0", doubles.clock.instant().plusSeconds(60))).orElseThrow();
        int moves = doubles.recorded.moves.size();

        deadLetters.process(List.of(InMemoryQueue.received("job-1", "d1")));

        assertEquals(moves, doubles.recorded.moves.size());
        assertEquals(List.of("job-1"), queue.sentJobIds());
        assertEquals(JobStatus.RUNNING, doubles.store.find("job-1").orElseThrow().status());
    }
}
