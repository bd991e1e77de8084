package dev.jobline.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jobline.job.JobContext;
import dev.jobline.job.JobFailure;
import dev.jobline.job.Progress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BuiltInJobsTest {

    /** A plain in-memory context: these handlers need nothing else. */
    private static final class FakeContext implements JobContext {
        final List<Progress> progress = new ArrayList<>();
        final Object payload;
        final int attempt;
        volatile boolean cancel;

        FakeContext(Object payload, int attempt) {
            this.payload = payload;
            this.attempt = attempt;
        }

        public String jobId() { return "job"; }
        public String tenantId() { return "tenant"; }
        public int attempt() { return attempt; }
        public Object payload() { return payload; }
        public void reportProgress(long current, long total, String message) { progress.add(new Progress(current, total, message)); }
        public boolean isCancelRequested() { return cancel; }
        public Duration timeLeft() { return Duration.ofSeconds(10); }
    }

    @Test
    void echoReturnsItsPayload() throws Exception {
        Map<String, Object> payload = Map.of("a", 1);
        assertEquals(payload, new EchoJob().run(new FakeContext(payload, 1)));
    }

    @Test
    void sleepReportsProgressOnEveryStep() throws Exception {
        FakeContext context = new FakeContext(Map.of("millis", 30, "steps", 3), 1);
        Object result = new SleepJob().run(context);
        assertEquals(3, context.progress.size());
        assertEquals(new Progress(3, 3, "slept 3 of 3 steps"), context.progress.get(2));
        assertEquals(Map.of("sleptMillis", 30L), result);
    }

    @Test
    void sleepStopsWhenCancelled() throws Exception {
        FakeContext context = new FakeContext(Map.of("millis", 10_000, "steps", 100), 1);
        context.cancel = true;
        Object result = new SleepJob().run(context);
        assertTrue(context.progress.isEmpty());
        assertEquals(Boolean.TRUE, ((Map<?, ?>) result).get("cancelled"));
    }

    @Test
    void sleepRejectsAPayloadOfTheWrongShape() {
        JobFailure failure = assertThrows(JobFailure.class, () -> new SleepJob().run(new FakeContext(List.of(1), 1)));
        assertFalse(failure.retryable());
    }

    @Test
    void failFailsTheFirstAttemptsThenSucceeds() {
        Map<String, Object> payload = Map.of("failTimes", 2, "retryable", true, "code", "FLAKY");
        JobFailure first = assertThrows(JobFailure.class, () -> new FailJob().run(new FakeContext(payload, 1)));
        assertEquals("FLAKY", first.code());
        assertTrue(first.retryable());
        assertThrows(JobFailure.class, () -> new FailJob().run(new FakeContext(payload, 2)));
        assertEquals(Map.of("succeededOnAttempt", 3), new FailJob().run(new FakeContext(payload, 3)));
    }

    @Test
    void failCanFailPermanently() {
        JobFailure failure = assertThrows(JobFailure.class,
                () -> new FailJob().run(new FakeContext(Map.of("retryable", false), 1)));
        assertFalse(failure.retryable());
    }
}
