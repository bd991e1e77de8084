package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.jobline.job.Job;
import dev.jobline.job.JobStatus;
import dev.jobline.job.Priority;
import dev.jobline.jobs.JobCatalog;
import dev.jobline.local.LambdaContext;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import dev.jobline.log.Log;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The event files README.md lists for sam local invoke do, through the real handlers, what the README says. */
@ExtendWith(LocalAwsExtension.class)
class EventFilesIntegrationTest {
    /** The job ids the files name, as a user would make them exist before invoking. */
    private static final String FIRST = "00000000-0000-4000-8000-000000000001";
    private static final String SECOND = "00000000-0000-4000-8000-000000000002";

    private Jobline jobline;

    @BeforeEach
    void start(LocalAws aws, LocalResources resources) {
        jobline = new Jobline(aws, resources);
        Log.redirect(new PrintStream(OutputStream.nullOutputStream()));
    }

    @AfterEach
    void stop() {
        Log.redirect(System.out);
    }

    private void queued(String jobId, Priority priority) {
        Job job = Job.submitted(jobId, "tenant-a", JobCatalog.registry().find("echo").orElseThrow(), "{\"n\":1}", 3, 30,
                Instant.now()).withOptions(priority, null, null, null);
        assertTrue(jobline.store().create(job));
    }

    private static SQSEvent sqs(String file) {
        return EventLoader.loadSQSEvent(Jobline.EVENTS.resolve(file).toString());
    }

    private static List<String> named(SQSBatchResponse response) {
        return response.getBatchItemFailures().stream().map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList();
    }

    @Test
    void aBatchWithOneBadRecordRunsBothJobsAndNamesOnlyTheBadRecord() {
        queued(FIRST, Priority.NORMAL);
        queued(SECOND, Priority.NORMAL);
        SQSEvent event = sqs("sqs-batch-with-bad-record.json");

        SQSBatchResponse response = jobline.worker.handleRequest(event, new LambdaContext("WorkerFunction", Duration.ofSeconds(60)));

        assertEquals(List.of(event.getRecords().get(1).getMessageId()), named(response));
        assertEquals(JobStatus.SUCCEEDED, jobline.job(FIRST).status());
        assertEquals(JobStatus.SUCCEEDED, jobline.job(SECOND).status());
    }

    @Test
    void aHighPriorityMessageRunsItsJob() {
        queued(FIRST, Priority.HIGH);

        SQSBatchResponse response = jobline.worker.handleRequest(sqs("sqs-one-high-priority-job.json"),
                new LambdaContext("WorkerFunction", Duration.ofSeconds(60)));

        assertEquals(List.of(), named(response));
        assertEquals(JobStatus.SUCCEEDED, jobline.job(FIRST).status());
    }

    @Test
    void theDeadLettersFailTheJobAndKeepTheUnreadableMessage() {
        queued(FIRST, Priority.NORMAL);
        SQSEvent event = sqs("sqs-dead-letters.json");

        SQSBatchResponse response = jobline.deadLetters.handleRequest(event, new LambdaContext("DeadLetterFunction", Duration.ofSeconds(30)));

        assertEquals(List.of(), named(response));
        Job failed = jobline.job(FIRST);
        assertEquals(JobStatus.FAILED, failed.status());
        assertEquals("DEAD_LETTERED", failed.error().code());
        String unreadable = event.getRecords().get(1).getMessageId();
        assertEquals("this is not a job message {", jobline.store().findDeadLetter(unreadable).orElseThrow().body());
    }

    @Test
    void theJobTypesAreListed() {
        APIGatewayV2HTTPResponse response = jobline.call("api-list-job-types.json");

        assertEquals(200, response.getStatusCode());
        assertTrue(response.getBody().contains("\"echo\""), response.getBody());
    }
}
