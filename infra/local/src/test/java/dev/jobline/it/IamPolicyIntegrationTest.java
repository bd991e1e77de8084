package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.jobline.iam.IamLog;
import dev.jobline.iam.IamRequest;
import dev.jobline.job.JobStatus;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

/**
 * The functions' calls against their policies in template.yaml, as IAM checks them in AWS: the sweeper's read of the
 * jobs it finds is allowed, and copies of the template with one action or one resource taken out are caught, naming
 * the function, the action and the resource. Every other test is checked the same way (IamPolicyExtension).
 */
@ExtendWith(LocalAwsExtension.class)
class IamPolicyIntegrationTest {
    /** A job due in three hours (no queue can hold it that long: the sweeper sends it), and now due. */
    private static String dueForTheSweeper(Jobline jobline, String body) {
        Instant runAt = jobline.clock.instant().plus(Duration.ofHours(3)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String jobId = jobline.submit(body.substring(0, body.length() - 1) + ",\"runAt\":\"" + runAt + "\"}");
        jobline.clock.advance(Duration.ofHours(3).plusMinutes(1));
        return jobId;
    }

    private static IamLog.Call allowed(String function, String action, String resource) {
        return new IamLog.Call(function, new IamRequest(action, resource), true);
    }

    @Test
    void aSweepThatFindsADueJobReadsItWithBatchGetItemAsItsPolicyAllows(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String jobId = dueForTheSweeper(jobline, "{\"type\":\"echo\",\"payload\":{}}");

        Map<String, Object> sweep = jobline.sweep();

        assertEquals(1, sweep.get("resent"));
        assertTrue(IamLog.calls().contains(allowed("SweeperFunction", "dynamodb:BatchGetItem", resources.tableArn("JobsTable"))),
                IamLog.calls().toString());
        assertEquals(JobStatus.SUCCEEDED, deliverAndRead(jobline, jobId));
    }

    private static JobStatus deliverAndRead(Jobline jobline, String jobId) {
        jobline.receiveAndDeliver();
        return jobline.job(jobId).status();
    }

    @Test
    void withoutBatchGetItemInItsPolicyTheSweepFailsAsInAwsAndRecoversNothing(LocalAws aws) throws IOException {
        try (LocalResources damaged = provisionDamaged(aws, "SweeperFunction",
                "Action: [dynamodb:BatchGetItem, dynamodb:UpdateItem, dynamodb:GetItem, dynamodb:PutItem, dynamodb:DeleteItem, dynamodb:Scan]",
                "Action: [dynamodb:UpdateItem, dynamodb:GetItem, dynamodb:PutItem, dynamodb:DeleteItem, dynamodb:Scan]")) {
            Jobline jobline = new Jobline(aws, damaged);
            String jobId = dueForTheSweeper(jobline, "{\"type\":\"echo\",\"payload\":{}}");

            DynamoDbException denied = assertThrows(DynamoDbException.class, jobline::sweep);

            assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
            assertEquals(List.of("SweeperFunction is not allowed dynamodb:BatchGetItem on " + damaged.tableArn("JobsTable")
                    + ": no statement of its role allows it"), violations());
            assertEquals(JobStatus.QUEUED, jobline.job(jobId).status());
            assertEquals(0, jobline.visibleMessages(), "nothing was sent again");
        }
    }

    @Test
    void withoutTheIndexesInItsPolicyTheApisListIsDeniedAndNamed(LocalAws aws) throws IOException {
        try (LocalResources damaged = provisionDamaged(aws, "ApiFunction",
                "              Action: [dynamodb:Query]\n              Resource: !Sub \"${JobsTable.Arn}/index/*\"\n",
                "              Action: [dynamodb:Query]\n              Resource: !GetAtt JobsTable.Arn\n")) {
            Jobline jobline = new Jobline(aws, damaged);
            jobline.submit("echo", "{}");

            APIGatewayV2HTTPResponse list = jobline.call("api-list-jobs.json");

            assertEquals(503, list.getStatusCode(), list.getBody());
            assertEquals(List.of("ApiFunction is not allowed dynamodb:Query on " + damaged.tableArn("JobsTable")
                    + "/index/byTenant: no statement of its role allows it"), violations());
        }
    }

    @Test
    void aViolationIsNamedEvenWhenTheCodeSwallowsTheDenial(LocalAws aws) throws IOException {
        try (LocalResources damaged = provisionDamaged(aws, "WorkerFunction",
                "              Action: [sqs:SendMessage]\n              Resource: !GetAtt WebhooksQueue.Arn\n",
                "              Action: [sqs:SendMessage]\n              Resource: !GetAtt JobsQueue.Arn\n")) {
            Jobline jobline = new Jobline(aws, damaged);
            String jobId = jobline.submit("{\"type\":\"echo\",\"payload\":{},\"callbackUrl\":\"https://example.com/hook\"}");

            jobline.receiveAndDeliver();

            assertEquals(JobStatus.SUCCEEDED, jobline.job(jobId).status(), "the webhook's failed send does not fail the job");
            assertEquals(List.of("WorkerFunction is not allowed sqs:SendMessage on " + damaged.queueArn("WebhooksQueue")
                    + ": no statement of its role allows it"), violations());
        }
    }

    @Test
    void highPriorityRetriesAndResendsUseTheHighPriorityQueuesGrants(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String highQueue = resources.queueUrl("HighPriorityJobsQueue");
        jobline.submit("{\"type\":\"fail\",\"payload\":{\"failTimes\":1},\"priority\":\"high\"}");
        SQSEvent batch = jobline.receive(highQueue, Duration.ofSeconds(2), null);
        assertEquals(1, jobline.deliver(batch).getBatchItemFailures().size(), "the first attempt fails and waits to be retried");
        dueForTheSweeper(jobline, "{\"type\":\"echo\",\"payload\":{},\"priority\":\"high\"}");

        Map<String, Object> sweep = jobline.sweep();

        assertTrue(((Number) sweep.get("resent")).intValue() >= 1, sweep.toString());
        String highArn = resources.queueArn("HighPriorityJobsQueue");
        List<IamLog.Call> calls = IamLog.calls();
        assertTrue(calls.contains(allowed("WorkerFunction", "sqs:ChangeMessageVisibility", highArn)), calls.toString());
        assertTrue(calls.contains(allowed("SweeperFunction", "sqs:SendMessage", highArn)), calls.toString());
    }

    /** The test's violations so far, each once; taken, so the extension does not fail the test that expects them. */
    static List<String> violations() {
        return IamLog.takeViolations().stream().map(IamLog.Violation::toString).distinct().toList();
    }

    /** A copy of template.yaml with one replacement inside one resource's definition, provisioned afresh. */
    static LocalResources provisionDamaged(LocalAws aws, String resource, String from, String to) throws IOException {
        String text = Files.readString(LocalAwsExtension.template());
        int start = text.indexOf("\n  " + resource + ":\n");
        Matcher next = Pattern.compile("\n  [A-Za-z0-9]+:\n").matcher(text);
        int end = next.find(start + 1) ? next.start() : text.length();
        int at = text.indexOf(from, start);
        assertTrue(start >= 0 && at >= 0 && at < end, resource + " no longer contains: " + from);
        Path copy = Path.of("target", "template-damaged-" + resource + ".yaml");
        Files.createDirectories(copy.getParent());
        Files.writeString(copy, text.substring(0, at) + to + text.substring(at + from.length()));
        return aws.provision(copy);
    }
}
