package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.jobline.job.Job;
import dev.jobline.job.JobStatus;
import dev.jobline.job.JobType;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A running limit held by an attempt whose worker stopped before its end (a frozen process: no heartbeat extends the
 * hold, no end gives it back) is not held forever: the hold runs out with the attempt's lease, and the next job of
 * the type then starts, on its first attempt, while the stopped attempt has still not ended.
 */
@ExtendWith(LocalAwsExtension.class)
class CrashedLimitHoldIntegrationTest {
    /** A lease of 5 s (messages hidden 7 s): the stopped attempt's hold is live for the first checks, then runs out. */
    private static final Map<String, String> SHORT_LEASE = Map.of("LEASE_SECONDS", "5", "VISIBILITY_SECONDS", "7");

    private final AtomicReference<FrozenWorker> stopped = new AtomicReference<>();

    /** At most one job of the type runs at once; a job whose payload says stall stands still while its worker is frozen. */
    private JobType solo() {
        return JobType.of("solo", context -> {
            if (context.payload() instanceof Map<?, ?> payload && Boolean.TRUE.equals(payload.get("stall"))) {
                stopped.get().awaitThaw();
            }
            return "done";
        }).withMaxConcurrent(1, 0);
    }

    @Test
    void aStoppedAttemptsHoldOnALimitRunsOutWithItsLeaseAndTheNextJobThenStarts(LocalAws aws, LocalResources resources)
            throws Exception {
        Jobline jobline = new Jobline(aws, resources, SHORT_LEASE, List.of(solo()));
        FrozenWorker worker = new FrozenWorker(jobline, true);
        stopped.set(worker);
        String crashed = jobline.submit("solo", "{\"stall\":true}");
        // its message stays away for the whole test: only the limit's hold can free the place
        SQSEvent event = jobline.receive(jobline.queueUrl, Duration.ofSeconds(2), Duration.ofSeconds(60));
        worker.freeze();
        CompletableFuture<SQSBatchResponse> stoppedRun = worker.deliverInBackground(event);
        try {
            Jobline.waitUntil("the first attempt runs", () -> jobline.job(crashed).status() == JobStatus.RUNNING);
            assertEquals(Map.of("limit#type#solo", 1), holdsOnType(jobline));
            String next = jobline.submit("solo", "{}");

            jobline.receiveAndDeliver();
            Job waiting = jobline.job(next);
            assertEquals(JobStatus.QUEUED, waiting.status(), "the stopped attempt's hold is live: the next job waits");
            assertEquals("type limit", waiting.waitingFor());
            assertEquals(0, waiting.attempts());

            // the stopped attempt's lease (and so its hold) runs out; it is still RUNNING, and nothing gave the hold back
            jobline.clock.advance(Duration.ofSeconds(6));
            Job done = jobline.drainUntilEnded(next);

            assertEquals(JobStatus.SUCCEEDED, done.status(), "the next job started once the hold ran out");
            assertEquals(1, done.attempts(), "its waits spent no attempt");
            Job stillStopped = jobline.job(crashed);
            assertEquals(JobStatus.RUNNING, stillStopped.status());
            assertEquals(1, stillStopped.attempts());
        } finally {
            worker.thaw();
        }
        stoppedRun.get(30, TimeUnit.SECONDS);
        assertEquals(Map.of("limit#type#solo", 0), holdsOnType(jobline), "no hold is left behind");
    }

    /** The type limit's holds (the deployment's tenant cap is held too, and not what this test is about). */
    private static Map<String, Integer> holdsOnType(Jobline jobline) {
        Map<String, Integer> holds = new java.util.TreeMap<>(KeyItems.limitHolds(jobline));
        holds.keySet().removeIf(limit -> !limit.startsWith("limit#type#"));
        return holds;
    }
}
