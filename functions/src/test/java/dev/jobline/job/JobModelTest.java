package dev.jobline.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class JobModelTest {
    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

    @Test
    void aSubmittedJobIsQueuedWithNoAttemptAndVersionOne() {
        Job job = Job.submitted("id-1", "tenant", JobType.of("echo", context -> null), "{}", 3, 10, NOW);
        assertEquals(JobStatus.QUEUED, job.status());
        assertEquals(0, job.attempts());
        assertEquals(1, job.version());
        assertTrue(job.attemptsLeft());
        assertFalse(job.hasLiveLease(NOW));
    }

    @Test
    void percentIsWholeAndCappedAndUnknownWithoutTotal() {
        assertEquals(33, new Progress(1, 3, null).percent());
        assertEquals(100, new Progress(5, 3, null).percent());
        assertNull(new Progress(5, 0, null).percent());
    }

    @Test
    void negativeProgressIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Progress(-1, 3, null));
    }

    @Test
    void aFinalErrorKeepsTheLastCauseInItsMessage() {
        JobError last = new JobError("TIMEOUT_UPSTREAM", "site did not answer", true);
        JobError exhausted = last.asFinal(JobError.ATTEMPTS_EXHAUSTED);
        assertEquals(JobError.ATTEMPTS_EXHAUSTED, exhausted.code());
        assertFalse(exhausted.retryable());
        assertTrue(exhausted.message().contains("TIMEOUT_UPSTREAM"));
    }

    @Test
    void registryRefusesTheSameTypeTwice() {
        JobRegistry.Builder builder = JobRegistry.builder().register(JobType.of("echo", context -> null));
        assertThrows(IllegalArgumentException.class, () -> builder.register(JobType.of("echo", context -> null)));
    }

    @Test
    void typeNamesAndLimitsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> JobType.of("Bad Name", context -> null));
        assertThrows(IllegalArgumentException.class, () -> JobType.of("ok", context -> null).withMaxAttempts(0));
        assertThrows(IllegalArgumentException.class, () -> JobType.of("ok", context -> null).withMaxAttempts(JobType.MAX_ATTEMPTS_LIMIT + 1));
    }
}
