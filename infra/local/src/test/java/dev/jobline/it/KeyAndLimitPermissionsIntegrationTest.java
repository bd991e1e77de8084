package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.jobline.iam.IamLog;
import dev.jobline.iam.IamRequest;
import dev.jobline.job.JobStatus;
import dev.jobline.job.JobType;
import dev.jobline.local.LambdaContext;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The calls concurrency keys and running limits add, checked against each function's role in template.yaml as IAM
 * would check them (CheckedClients): the API, the worker, the dead-letter consumer and the sweeper each give keys back
 * with a DeleteItem their role allows, and the worker holds and releases limits with UpdateItem. A role without
 * DeleteItem is caught, naming the function, and the key its job could not give back is freed by the next sweep.
 */
@ExtendWith(LocalAwsExtension.class)
class KeyAndLimitPermissionsIntegrationTest {

    private static IamLog.Call allowed(String function, String action, String resource) {
        return new IamLog.Call(function, new IamRequest(action, resource), true);
    }

    private static String keyed(String key, String more) {
        return "{\"type\":\"echo\",\"payload\":{},\"concurrencyKey\":\"" + key + "\"" + more + "}";
    }

    @Test
    void everyFunctionGivesKeysBackAndHoldsLimitsWithCallsItsRoleAllows(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources, Map.of(), List.of(JobType.of("limited", context -> "ok").withMaxConcurrent(2, 1)));
        // the API: a queued job cancelled
        String cancelled = jobline.submit(keyed("by-api", ""));
        assertEquals(200, jobline.onJob("api-cancel-job.json", cancelled, "tenant-a").getStatusCode());
        // the worker: a job that ends, under running limits
        jobline.submit(keyed("by-worker", ""));
        jobline.submit("{\"type\":\"limited\",\"payload\":{}}");
        while (jobline.visibleMessages() > 0) {
            jobline.receiveAndDeliver();
        }
        // the dead-letter consumer: a dead-lettered job
        String deadLettered = jobline.submit(keyed("by-dead-letters", ""));
        aws.sqsClient().sendMessage(b -> b.queueUrl(jobline.deadLetterQueueUrl).messageBody("{\"jobId\":\"" + deadLettered + "\"}"));
        SQSEvent dead = jobline.receive(jobline.deadLetterQueueUrl, Duration.ofSeconds(2), null);
        assertTrue(jobline.deadLetters.handleRequest(dead, new LambdaContext("DeadLetterFunction", Duration.ofSeconds(30)))
                .getBatchItemFailures().isEmpty());
        // the sweeper: a key whose time ran out
        jobline.submit(keyed("by-sweeper", ",\"keyTtlSeconds\":1"));
        jobline.clock.advance(Duration.ofSeconds(2));
        jobline.sweep();

        assertEquals(0, KeyItems.count(jobline), "every key was given back");
        assertEquals(Map.of("limit#tenant#8:tenant-a", 0, "limit#type#limited", 0, "limit#type#limited#tenant#8:tenant-a", 0),
                KeyItems.limitHolds(jobline), "the worker held and released each limit");
        String table = resources.tableArn("JobsTable");
        List<IamLog.Call> calls = IamLog.calls();
        for (String function : List.of("ApiFunction", "WorkerFunction", "DeadLetterFunction", "SweeperFunction")) {
            assertTrue(calls.contains(allowed(function, "dynamodb:DeleteItem", table)), function + ": " + calls);
        }
        assertTrue(calls.contains(allowed("WorkerFunction", "dynamodb:UpdateItem", table)), calls.toString());
        assertTrue(calls.stream().allMatch(IamLog.Call::allowed), calls.toString());
    }

    @Test
    void aWorkerWhoseRoleCannotDeleteItemsIsCaughtAndItsJobsKeyIsFreedByTheNextSweep(LocalAws aws) throws IOException {
        try (LocalResources damaged = IamPolicyIntegrationTest.provisionDamaged(aws, "WorkerFunction",
                "Action: [dynamodb:GetItem, dynamodb:BatchGetItem, dynamodb:UpdateItem, dynamodb:DeleteItem]",
                "Action: [dynamodb:GetItem, dynamodb:BatchGetItem, dynamodb:UpdateItem]")) {
            Jobline jobline = new Jobline(aws, damaged);
            String jobId = jobline.submit(keyed("site-1", ""));

            jobline.receiveAndDeliver();

            assertEquals(JobStatus.SUCCEEDED, jobline.job(jobId).status(), "the end is written; only its key's give-back is denied");
            assertEquals(List.of("WorkerFunction is not allowed dynamodb:DeleteItem on " + damaged.tableArn("JobsTable")
                    + ": no statement of its role allows it"), IamPolicyIntegrationTest.violations());
            assertEquals(Optional.of(jobId), KeyItems.holder(jobline, "tenant-a", "site-1"));
            jobline.sweep();
            assertEquals(Optional.empty(), KeyItems.holder(jobline, "tenant-a", "site-1"), "the sweeper's role may give it back");
        }
    }

    @Test
    void anApiWhoseRoleCannotDeleteItemsIsCaughtWhenACancelGivesAKeyBack(LocalAws aws) throws IOException {
        try (LocalResources damaged = IamPolicyIntegrationTest.provisionDamaged(aws, "ApiFunction",
                "Action: [dynamodb:PutItem, dynamodb:GetItem, dynamodb:UpdateItem, dynamodb:BatchGetItem, dynamodb:DeleteItem]",
                "Action: [dynamodb:PutItem, dynamodb:GetItem, dynamodb:UpdateItem, dynamodb:BatchGetItem]")) {
            Jobline jobline = new Jobline(aws, damaged);
            String jobId = jobline.submit(keyed("site-1", ""));

            assertEquals(200, jobline.onJob("api-cancel-job.json", jobId, "tenant-a").getStatusCode());

            assertEquals(List.of("ApiFunction is not allowed dynamodb:DeleteItem on " + damaged.tableArn("JobsTable")
                    + ": no statement of its role allows it"), IamPolicyIntegrationTest.violations());
            assertEquals(Optional.of(jobId), KeyItems.holder(jobline, "tenant-a", "site-1"), "denied: the key stays until a sweep");
        }
    }
}
