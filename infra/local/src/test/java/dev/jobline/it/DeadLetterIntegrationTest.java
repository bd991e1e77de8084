package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.jobline.job.Job;
import dev.jobline.job.JobError;
import dev.jobline.job.JobStatus;
import dev.jobline.local.LambdaContext;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import dev.jobline.store.DeadLetter;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What SQS's redrive moves to the dead-letter queue is accounted for, never lost silently. */
@ExtendWith(LocalAwsExtension.class)
class DeadLetterIntegrationTest {
    private Jobline jobline;

    @BeforeEach
    void start(LocalAws aws, LocalResources resources) {
        jobline = new Jobline(aws, resources);
    }

    /** A worker that dies on every delivery: the message comes back until redrive moves it. */
    private void crashLoopUntilDeadLettered() {
        for (int receive = 0; receive < 40 && jobline.visibleMessages(jobline.deadLetterQueueUrl) == 0; receive++) {
            jobline.receive(jobline.queueUrl, Duration.ofSeconds(1), Duration.ZERO);
        }
        assertEquals(1, jobline.visibleMessages(jobline.deadLetterQueueUrl), "redrive moved the message");
    }

    private SQSBatchResponse consumeDeadLetters() {
        SQSEvent event = jobline.receive(jobline.deadLetterQueueUrl, Duration.ofSeconds(1), null);
        SQSBatchResponse response = jobline.deadLetters.handleRequest(event, new LambdaContext("DeadLetterFunction", Duration.ofSeconds(30)));
        for (SQSEvent.SQSMessage record : event.getRecords()) {
            if (response.getBatchItemFailures().stream().noneMatch(f -> f.getItemIdentifier().equals(record.getMessageId()))) {
                jobline.aws.sqsClient().deleteMessage(b -> b.queueUrl(jobline.deadLetterQueueUrl).receiptHandle(record.getReceiptHandle()));
            }
        }
        return response;
    }

    @Test
    void aCrashLoopingMessageReachesTheDlqAndItsJobEndsDeadLettered() {
        String jobId = jobline.submit("count", "{}");

        crashLoopUntilDeadLettered();
        SQSBatchResponse response = consumeDeadLetters();

        assertTrue(response.getBatchItemFailures().isEmpty());
        Job job = jobline.job(jobId);
        assertEquals(JobStatus.FAILED, job.status());
        assertEquals(JobError.DEAD_LETTERED, job.error().code());
        java.util.regex.Matcher receives = java.util.regex.Pattern.compile("after (\\d+) receives").matcher(job.error().message());
        assertTrue(receives.find() && Integer.parseInt(receives.group(1)) >= 25, job.error().message());
        assertEquals(0, jobline.visibleMessages(jobline.deadLetterQueueUrl), "recorded, then acknowledged");
    }

    @Test
    void anUnreadableMessageIsKeptWholeAsADeadLetterRecord() {
        String messageId = jobline.aws.sqsClient().sendMessage(b -> b.queueUrl(jobline.queueUrl)
                .messageBody("<html>not a job</html>")
                .messageAttributes(java.util.Map.of("origin", software.amazon.awssdk.services.sqs.model.MessageAttributeValue.builder()
                        .dataType("String").stringValue("legacy-producer").build()))).messageId();
        SQSEvent delivered = jobline.receive(Duration.ofSeconds(2));
        SQSBatchResponse workerAnswer = jobline.deliver(delivered);
        assertEquals(1, workerAnswer.getBatchItemFailures().size(), "the worker leaves it to redrive");
        jobline.aws.sqsClient().changeMessageVisibility(b -> b.queueUrl(jobline.queueUrl)
                .receiptHandle(delivered.getRecords().get(0).getReceiptHandle()).visibilityTimeout(0));

        crashLoopUntilDeadLettered();
        consumeDeadLetters();

        DeadLetter kept = jobline.wiring.store().findDeadLetter(messageId).orElseThrow();
        assertEquals("<html>not a job</html>", kept.body());
        assertEquals("legacy-producer", kept.attributes().get("origin"));
        assertTrue(kept.receiveCount() >= 25);
        assertEquals(0, jobline.visibleMessages(jobline.deadLetterQueueUrl));
    }

    @Test
    void theUnreadableRecordEventIsKeptAndAcknowledged() {
        SQSEvent event = EventLoader.loadSQSEvent(Jobline.EVENTS.resolve("sqs-unreadable-record.json").toString());

        SQSBatchResponse response = jobline.deadLetters.handleRequest(event, new LambdaContext("DeadLetterFunction", Duration.ofSeconds(30)));

        assertTrue(response.getBatchItemFailures().isEmpty());
        String messageId = event.getRecords().get(0).getMessageId();
        assertEquals("this is not a job message {", jobline.wiring.store().findDeadLetter(messageId).orElseThrow().body());
    }

    @Test
    void aDeadLetterForAFinishedJobChangesNothing() {
        String jobId = jobline.submit("count", "{}");
        jobline.receiveAndDeliver();
        jobline.aws.sqsClient().sendMessage(b -> b.queueUrl(jobline.deadLetterQueueUrl).messageBody("{\"jobId\":\"" + jobId + "\"}"));

        assertTrue(consumeDeadLetters().getBatchItemFailures().isEmpty());

        assertEquals(JobStatus.SUCCEEDED, jobline.job(jobId).status());
    }
}
