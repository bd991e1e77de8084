package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.jobline.job.JobStatus;
import dev.jobline.local.LambdaContext;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import dev.jobline.log.Log;
import dev.jobline.metrics.JobMetrics;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Each function's jobs become EMF metrics, valid records, namespace Jobline, by job type, one flush per invocation. */
@ExtendWith(LocalAwsExtension.class)
class MetricsIntegrationTest {
    private final CapturedLines emf = new CapturedLines();
    private Jobline jobline;

    @BeforeEach
    void start(LocalAws aws, LocalResources resources) {
        jobline = new Jobline(aws, resources);
        JobMetrics.redirect(emf.stream);
        Log.redirect(new PrintStream(OutputStream.nullOutputStream()));
    }

    @AfterEach
    void stop() {
        JobMetrics.redirect(null);
        Log.redirect(System.out);
    }

    private EmfRecords records() {
        return new EmfRecords(emf.objects());
    }

    @Test
    void aJobThatSucceedsCountsSubmittedAndSucceededWithItsDurationAndQueueWait() {
        String jobId = jobline.submit("echo", "{\"hello\":1}");
        jobline.receiveAndDeliver();

        assertEquals(JobStatus.SUCCEEDED, jobline.job(jobId).status());
        EmfRecords records = records();
        assertEquals(1, records.sum("echo", "JobsSubmitted"));
        assertEquals(1, records.sum("echo", "JobsSucceeded"));
        assertEquals(0, records.sum("echo", "JobsFailed"));
        assertEquals(1, records.values("echo", "JobDuration", "Milliseconds").size());
        List<Double> waits = records.values("echo", "QueueWait", "Milliseconds");
        assertEquals(1, waits.size());
        assertTrue(waits.get(0) >= 0 && waits.get(0) < 60_000, "submit to start: " + waits);
        assertEquals(2, records.ofType("echo").size(), "one record per invocation: the API's and the worker's");
        assertTrue(records.ofType("echo").stream().allMatch(r -> r.get("Service") instanceof String service && !service.isBlank()),
                "the Service dimension: the stack's name");
    }

    @Test
    void aJobThatRetriesCountsTheRetryAndEachAttemptsDuration() {
        String jobId = jobline.submit("fail", "{\"failTimes\":1,\"code\":\"FLAKY\"}");
        jobline.receiveAndDeliver();
        SQSEvent retry = jobline.receive(Duration.ofSeconds(5));
        if (retry.getRecords().isEmpty()) {
            retry = jobline.receive(Duration.ofSeconds(5));
        }
        jobline.deliver(retry);

        assertEquals(JobStatus.SUCCEEDED, jobline.job(jobId).status());
        EmfRecords records = records();
        assertEquals(1, records.sum("fail", "JobsSubmitted"));
        assertEquals(1, records.sum("fail", "JobsRetried"));
        assertEquals(1, records.sum("fail", "JobsSucceeded"));
        assertEquals(0, records.sum("fail", "JobsFailed"));
        assertEquals(2, records.values("fail", "JobDuration", "Milliseconds").size(), "both attempts");
        assertEquals(2, records.values("fail", "QueueWait", "Milliseconds").size(), "the first wait and the one after the backoff");
    }

    @Test
    void aDeadLetteredJobCountsDeadLetteredAndFailed() {
        String jobId = jobline.submit("count", "{}");
        for (int receive = 0; receive < 40 && jobline.visibleMessages(jobline.deadLetterQueueUrl) == 0; receive++) {
            jobline.receive(jobline.queueUrl, Duration.ofSeconds(1), Duration.ZERO);   // a worker that dies every time
        }
        SQSEvent dead = jobline.receive(jobline.deadLetterQueueUrl, Duration.ofSeconds(2), null);
        assertEquals(1, dead.getRecords().size(), "redrive moved the message");

        var answer = jobline.deadLetters.handleRequest(dead, new LambdaContext("DeadLetterFunction", Duration.ofSeconds(30)));
        assertTrue(answer.getBatchItemFailures().isEmpty());
        // the event source deletes what the function recorded
        jobline.aws.sqsClient().deleteMessage(b -> b.queueUrl(jobline.deadLetterQueueUrl)
                .receiptHandle(dead.getRecords().get(0).getReceiptHandle()));

        assertEquals(JobStatus.FAILED, jobline.job(jobId).status());
        EmfRecords records = records();
        assertEquals(1, records.sum("count", "JobsSubmitted"));
        assertEquals(1, records.sum("count", "JobsDeadLettered"));
        assertEquals(1, records.sum("count", "JobsFailed"));
        assertEquals(0, records.sum("count", "JobsSucceeded"));
    }

    @Test
    void aCancelledJobCountsCancelled() {
        String jobId = jobline.submit("echo", "{}");

        jobline.onJob("api-cancel-job.json", jobId, "tenant-a");

        assertEquals(JobStatus.CANCELLED, jobline.job(jobId).status());
        assertEquals(1, records().sum("echo", "JobsCancelled"));
    }

    @Test
    void aJobTakenUpAgainWhenItsCrashedAttemptsMessageComesBackCountsAsRecovered() {
        String jobId = jobline.submit("count", "{}");
        SQSEvent event = jobline.receive(jobline.queueUrl, Duration.ofSeconds(2), Duration.ofSeconds(1));
        java.time.Instant now = jobline.clock.instant();
        // the worker claims and dies; the message stays and comes back (here after 1 s, in AWS when the lease ends)
        assertTrue(jobline.wiring.store().claim(jobId, new dev.jobline.store.Lease("crashed", now.plus(Duration.ofMinutes(6))), now).isPresent());
        assertEquals(1, event.getRecords().size());
        jobline.clock.advance(Duration.ofMinutes(7));

        jobline.receiveAndDeliver();

        assertEquals(JobStatus.SUCCEEDED, jobline.job(jobId).status());
        assertEquals(2, jobline.job(jobId).attempts());
        EmfRecords records = records();
        assertEquals(1, records.sum("count", "JobsRecovered"));
        assertEquals(1, records.sum("count", "JobsSucceeded"));
    }

    @Test
    void aJobWhoseWorkerCrashedCountsAsRecoveredWhenItsMessageBringsItBack() {
        String jobId = jobline.submit("count", "{}");
        java.time.Instant now = jobline.clock.instant();
        // claimed by a worker that died; its message comes back after its visibility (here: still in the queue)
        assertTrue(jobline.wiring.store().claim(jobId, new dev.jobline.store.Lease("crashed", now.plus(Duration.ofMinutes(6))), now).isPresent());
        jobline.clock.advance(Duration.ofMinutes(7));

        jobline.receiveAndDeliver();

        assertEquals(JobStatus.SUCCEEDED, jobline.job(jobId).status());
        assertEquals(1, records().sum("count", "JobsRecovered"));
    }
}
