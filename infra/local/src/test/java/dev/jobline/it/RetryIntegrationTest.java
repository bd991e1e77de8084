package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.jobline.job.Job;
import dev.jobline.job.JobError;
import dev.jobline.job.JobStatus;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A failed attempt is recorded on the job and its message comes back for the next one. */
@ExtendWith(LocalAwsExtension.class)
class RetryIntegrationTest {
    private Jobline jobline;

    @BeforeEach
    void start(LocalAws aws, LocalResources resources) {
        jobline = new Jobline(aws, resources);
    }

    /** Waits out the backoff (the fail type's first delays are at most a few seconds) and delivers. */
    private SQSBatchResponse deliverRetry() {
        SQSEvent event = jobline.receive(Duration.ofSeconds(5));
        if (event.getRecords().isEmpty()) {
            event = jobline.receive(Duration.ofSeconds(5));
        }
        assertEquals(1, event.getRecords().size(), "the retry's message came back");
        return jobline.deliver(event);
    }

    @Test
    void aRetryableFailureWaitsQueuedAndThenSucceeds() {
        String jobId = jobline.submit("fail", "{\"failTimes\":1,\"code\":\"FLAKY\"}");

        SQSBatchResponse first = jobline.receiveAndDeliver();

        assertEquals(1, first.getBatchItemFailures().size(), "the record is reported failed so SQS delivers it again");
        Job waiting = jobline.job(jobId);
        assertEquals(JobStatus.QUEUED, waiting.status());
        assertEquals("FLAKY", waiting.error().code());
        assertNotNull(waiting.nextAttemptAt());
        assertEquals(1, waiting.attempts());

        assertTrue(deliverRetry().getBatchItemFailures().isEmpty());
        Job done = jobline.job(jobId);
        assertEquals(JobStatus.SUCCEEDED, done.status());
        assertEquals(2, done.attempts());
    }

    @Test
    void aPermanentFailureEndsTheJobAtOnce() {
        String jobId = jobline.submit("fail", "{\"retryable\":false,\"code\":\"BAD_INPUT\",\"message\":\"no such site\"}");

        SQSBatchResponse response = jobline.receiveAndDeliver();

        assertTrue(response.getBatchItemFailures().isEmpty(), "the message is done with");
        Job job = jobline.job(jobId);
        assertEquals(JobStatus.FAILED, job.status());
        assertEquals("BAD_INPUT", job.error().code());
        assertEquals("no such site", job.error().message());
        assertEquals(1, job.attempts());
        assertEquals(0, jobline.visibleMessages());
    }

    @Test
    void exhaustedAttemptsEndFailedWithTheLastError() {
        String jobId = jobline.submit("{\"type\":\"fail\",\"payload\":{\"code\":\"DOWN\"},\"maxAttempts\":2}");

        jobline.receiveAndDeliver();
        SQSBatchResponse last = deliverRetry();

        assertTrue(last.getBatchItemFailures().isEmpty(), "the last failure deletes the message instead of leaving it to the DLQ");
        Job job = jobline.job(jobId);
        assertEquals(JobStatus.FAILED, job.status());
        assertEquals(JobError.ATTEMPTS_EXHAUSTED, job.error().code());
        assertTrue(job.error().message().startsWith("DOWN"));
        assertEquals(2, job.attempts());
    }

    @Test
    void aJobOverItsTimeoutIsStoppedAndRecordedAsTimedOut() {
        String jobId = jobline.submit("{\"type\":\"sleep\",\"payload\":{\"seconds\":30,\"steps\":30},\"timeoutSeconds\":1,\"maxAttempts\":1}");

        jobline.receiveAndDeliver();

        Job job = jobline.job(jobId);
        assertEquals(JobStatus.FAILED, job.status());
        assertTrue(job.error().message().startsWith(JobError.TIMED_OUT), job.error().toString());
    }
}
