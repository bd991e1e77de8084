package dev.jobline.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A function's role as SAM builds it from template.yaml: its own statements and the managed policies SAM attaches. */
@ExtendWith(LocalAwsExtension.class)
class FunctionRoleTest {

    @Test
    void theSweeperMayReadJobsByKeyButQueryOnlyTheInFlightIndex(LocalResources resources) {
        FunctionRole sweeper = FunctionRole.of(resources, "SweeperFunction");
        String table = resources.tableArn("JobsTable");

        assertTrue(sweeper.decide(new IamRequest("dynamodb:BatchGetItem", table)).allowed());
        assertTrue(sweeper.decide(new IamRequest("dynamodb:Query", table + "/index/inFlight")).allowed());
        assertFalse(sweeper.decide(new IamRequest("dynamodb:Query", table + "/index/byTenant")).allowed());
        assertFalse(sweeper.decide(new IamRequest("dynamodb:BatchGetItem", table + "-other")).allowed());
        // the reconciliation scans the jobs table, and no other
        assertTrue(sweeper.decide(new IamRequest("dynamodb:Scan", table)).allowed());
        assertFalse(sweeper.decide(new IamRequest("dynamodb:Scan", table + "-other")).allowed());
        // it gives back the concurrency keys held for nothing, in the same table only
        assertTrue(sweeper.decide(new IamRequest("dynamodb:DeleteItem", table)).allowed());
        assertFalse(sweeper.decide(new IamRequest("dynamodb:DeleteItem", table + "-other")).allowed());
    }

    @Test
    void theSchedulerMayQueryOnlyTheDueIndexAndMakeJobsButNotReadOrListThem(LocalResources resources) {
        FunctionRole scheduler = FunctionRole.of(resources, "SchedulerFunction");
        String schedules = resources.tableArn("SchedulesTable");
        String jobs = resources.tableArn("JobsTable");

        assertTrue(scheduler.decide(new IamRequest("dynamodb:Query", schedules + "/index/due")).allowed());
        assertTrue(scheduler.decide(new IamRequest("dynamodb:BatchGetItem", schedules)).allowed());
        assertTrue(scheduler.decide(new IamRequest("dynamodb:PutItem", schedules)).allowed());
        assertFalse(scheduler.decide(new IamRequest("dynamodb:Query", schedules)).allowed(), "it lists no tenant's schedules");
        assertFalse(scheduler.decide(new IamRequest("dynamodb:DeleteItem", schedules)).allowed(), "it deletes no schedule");
        assertTrue(scheduler.decide(new IamRequest("dynamodb:PutItem", jobs)).allowed());
        assertFalse(scheduler.decide(new IamRequest("dynamodb:Query", jobs + "/index/inFlight")).allowed());
        assertFalse(scheduler.decide(new IamRequest("dynamodb:Scan", jobs)).allowed());
        assertTrue(scheduler.decide(new IamRequest("sqs:SendMessage", resources.queueArn("JobsQueue"))).allowed());
        assertFalse(scheduler.decide(new IamRequest("sqs:SendMessage", resources.queueArn("WebhooksQueue"))).allowed());
        assertFalse(FunctionRole.of(resources, "WorkerFunction").decide(new IamRequest("dynamodb:PutItem", schedules)).allowed(),
                "only the API and the scheduler write schedules");
    }

    @Test
    void samAttachesTheSqsPollerPolicyOnlyToFunctionsWithAnSqsEvent(LocalResources resources) {
        String jobsQueue = resources.queueArn("JobsQueue");

        assertEquals(List.of(FunctionRole.BASIC_EXECUTION, FunctionRole.SQS_QUEUE_EXECUTION),
                FunctionRole.of(resources, "WorkerFunction").managedPolicies());
        assertEquals(List.of(FunctionRole.BASIC_EXECUTION), FunctionRole.of(resources, "SweeperFunction").managedPolicies());
        assertTrue(FunctionRole.of(resources, "WorkerFunction").decide(new IamRequest("sqs:DeleteMessage", jobsQueue)).allowed());
        assertFalse(FunctionRole.of(resources, "ApiFunction").decide(new IamRequest("sqs:DeleteMessage", jobsQueue)).allowed());
    }

    @Test
    void anExplicitDenyWinsOverAnAllow() {
        FunctionRole role = new FunctionRole("F", List.of(
                new Statement("allow", true, List.of("sqs:*"), List.of("*")),
                new Statement("deny", false, List.of("sqs:DeleteMessage"), List.of("arn:aws:sqs:us-east-1:000000000000:Kept"))),
                List.of());

        assertFalse(role.decide(new IamRequest("sqs:DeleteMessage", "arn:aws:sqs:us-east-1:000000000000:Kept")).allowed());
        assertTrue(role.decide(new IamRequest("sqs:DeleteMessage", "arn:aws:sqs:us-east-1:000000000000:Other")).allowed());
    }

    @Test
    void aPolicyItCannotEvaluateIsRefusedNotGuessed(LocalAws aws) throws IOException {
        String text = Files.readString(LocalAwsExtension.template());
        String from = "      Policies:\n        - Statement:\n            # a sweep queries";
        assertTrue(text.contains(from));
        Path copy = Path.of("target", "template-managed-policy.yaml");
        Files.writeString(copy, text.replace(from, "      Policies:\n        - AmazonDynamoDBReadOnlyAccess\n        - Statement:\n            # a sweep queries"));
        try (LocalResources resources = aws.provision(copy)) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> FunctionRole.of(resources, "SweeperFunction"));
            assertTrue(refused.getMessage().startsWith("SweeperFunction: Policies[0] is not an inline policy document"), refused.getMessage());
        }
    }
}
