package dev.jobline.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import dev.jobline.local.CfnYaml;
import dev.jobline.local.LocalAwsExtension;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The template's deployment rules hold on template.yaml, and each breaks on a damaged copy. */
class TemplateChecksTest {
    private static final Path TEMPLATE = LocalAwsExtension.template();
    private static final Path EVENTS = TEMPLATE.getParent().resolve("events");

    private static String text() throws IOException {
        return Files.readString(TEMPLATE);
    }

    @SuppressWarnings("unchecked")
    private static TemplateChecks checks(String yaml) {
        return new TemplateChecks((Map<String, Object>) CfnYaml.parse(yaml), TEMPLATE.getParent());
    }

    /** The damaged copy: one replacement, which must apply. */
    private static TemplateChecks broken(String from, String to) throws IOException {
        String original = text();
        assertTrue(original.contains(from), "the template no longer contains: " + from);
        return checks(original.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to)));
    }

    @Test
    void theRealTemplatePassesEveryCheck() throws IOException {
        assertEquals(List.of(), checks(text()).all());
    }

    @Test
    void aHandlerClassThatDoesNotExistIsCaught() throws IOException {
        List<String> problems = broken("dev.jobline.worker.WorkerHandler::handleRequest", "dev.jobline.worker.Missing::handleRequest").handlersExist();
        assertTrue(problems.stream().anyMatch(p -> p.contains("no class dev.jobline.worker.Missing")), problems.toString());
    }

    @Test
    void aHandlerMethodThatDoesNotExistIsCaught() throws IOException {
        List<String> problems = broken("dev.jobline.worker.WorkerHandler::handleRequest", "dev.jobline.worker.WorkerHandler::handle").handlersExist();
        assertTrue(problems.stream().anyMatch(p -> p.contains("has no method handle")), problems.toString());
    }

    @Test
    void aMissingRequiredVariableIsCaught() throws IOException {
        List<String> problems = broken("        TABLE_NAME: !Ref JobsTable\n", "").environmentIsComplete();
        assertTrue(problems.stream().anyMatch(p -> p.contains("TABLE_NAME is not set")), problems.toString());
    }

    @Test
    void aMisspelledVariableIsCaught() throws IOException {
        List<String> problems = broken("LEASE_SECONDS:", "LEASE_SECONDZ:").environmentIsComplete();
        assertTrue(problems.stream().anyMatch(p -> p.contains("LEASE_SECONDZ is read by nothing")), problems.toString());
    }

    @Test
    void aLeaseThatCouldOutliveItsMessagesVisibilityIsCaught() throws IOException {
        List<String> problems = broken("  JobLeaseSeconds:\n    Type: Number\n    Default: 300",
                "  JobLeaseSeconds:\n    Type: Number\n    Default: 330").leaseEndsBeforeTheMessageReturns();
        assertTrue(problems.stream().anyMatch(p -> p.contains("WorkerFunction: VISIBILITY_SECONDS 360 - LEASE_SECONDS 330 is under")),
                problems.toString());
    }

    @Test
    void aJobsQueueWhoseVisibilityIsNotTheWorkersIsCaught() throws IOException {
        List<String> problems = broken("      VisibilityTimeout: !Ref JobVisibilitySeconds", "      VisibilityTimeout: 400")
                .leaseEndsBeforeTheMessageReturns();
        assertTrue(problems.stream().anyMatch(p -> p.contains("JobsQueue VisibilityTimeout 400 s is not the worker's VISIBILITY_SECONDS 360 s")),
                problems.toString());
    }

    @Test
    void aVisibilityTimeoutUnderSixTimesTheWorkerTimeoutIsCaught() throws IOException {
        List<String> problems = broken("      VisibilityTimeout: 360\n      MessageRetentionPeriod: 1209600\n      RedrivePolicy:",
                "      VisibilityTimeout: 300\n      MessageRetentionPeriod: 1209600\n      RedrivePolicy:").visibilityCoversSixTimesTheTimeout();
        assertTrue(problems.stream().anyMatch(p -> p.contains("VisibilityTimeout 300 s is under 6 x")), problems.toString());
    }

    @Test
    void anSqsEventWithoutPartialBatchFailuresIsCaught() throws IOException {
        List<String> problems = broken("FunctionResponseTypes: [ReportBatchItemFailures]", "FunctionResponseTypes: []").sqsEventsReportBatchItemFailures();
        assertEquals(1, problems.size(), problems.toString());
    }

    @Test
    void aStarResourceIsCaught() throws IOException {
        List<String> problems = broken("              Resource: !GetAtt JobsTable.Arn\n", "              Resource: \"*\"\n").noPolicyGrantsEverything();
        assertTrue(problems.stream().anyMatch(p -> p.contains("Resource '*'")), problems.toString());
    }

    @Test
    void aWildcardActionIsCaught() throws IOException {
        List<String> problems = broken("Action: [sqs:ChangeMessageVisibility]", "Action: [\"sqs:*\"]").noPolicyGrantsEverything();
        assertTrue(problems.stream().anyMatch(p -> p.contains("wildcard action")), problems.toString());
    }

    @Test
    void aLogGroupWithoutRetentionIsCaught() throws IOException {
        List<String> problems = broken("  WorkerLogGroup:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      RetentionInDays: !Ref LogRetentionDays\n",
                "  WorkerLogGroup:\n    Type: AWS::Logs::LogGroup\n    Properties: {}\n").logGroupsHaveRetention();
        assertTrue(problems.stream().anyMatch(p -> p.contains("WorkerLogGroup: log group without RetentionInDays")), problems.toString());
    }

    @Test
    void aFunctionLoggingToLambdasDefaultGroupIsCaught() throws IOException {
        List<String> problems = broken("      LoggingConfig:\n        LogGroup: !Ref WorkerLogGroup\n", "").logGroupsHaveRetention();
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("WorkerFunction: LoggingConfig")), problems.toString());
    }

    // observability: JSON logs, alarms that notify the optional topic, a dashboard of the job metrics

    @Test
    void aFunctionWithoutLambdasJsonLogFormatIsCaught() throws IOException {
        List<String> problems = broken("        LogGroup: !Ref SweeperLogGroup\n        # Lambda's JSON log format: its own lines (START, REPORT, errors) are JSON, ours are kept as structured records\n        LogFormat: JSON\n",
                "        LogGroup: !Ref SweeperLogGroup\n").functionsLogJson();
        assertEquals(List.of("SweeperFunction: LoggingConfig.LogFormat is not JSON"), problems);
    }

    @Test
    void everyOperationsAlarmIsThereAndAMissingOneIsCaught() throws IOException {
        assertEquals(List.of(), checks(text()).alarmsWatchOperations());
        List<String> problems = broken("      MetricName: Throttles\n", "      MetricName: Invocations\n").alarmsWatchOperations();
        assertEquals(List.of("no alarm watches AWS/Lambda Throttles of WorkerFunction"), problems);
    }

    @Test
    void anAlarmOnTheWrongQueueIsCaught() throws IOException {
        List<String> problems = broken("          Value: !GetAtt WebhooksDeadLetterQueue.QueueName\n",
                "          Value: !GetAtt WebhooksQueue.QueueName\n").alarmsWatchOperations();
        assertEquals(List.of("no alarm watches AWS/SQS ApproximateNumberOfMessagesVisible of WebhooksDeadLetterQueue"), problems);
    }

    @Test
    void anAlarmThatNotifiesNobodyIsCaught() throws IOException {
        List<String> problems = broken("""
                      TreatMissingData: notBreaching
                      AlarmActions: !If [HasAlarmTopic, [!Ref AlarmTopicArn], !Ref AWS::NoValue]
                """, """
                      TreatMissingData: notBreaching
                """).alarmsNotifyTheTopic();
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).endsWith("AlarmActions is not !If [HasAlarmTopic, [!Ref AlarmTopicArn], !Ref AWS::NoValue]"), problems.toString());
    }

    @Test
    void anAlarmTopicWithoutAnEmptyDefaultIsCaught() throws IOException {
        List<String> problems = broken("  AlarmTopicArn:\n    Type: String\n    Default: \"\"\n", "  AlarmTopicArn:\n    Type: String\n").alarmsNotifyTheTopic();
        assertTrue(problems.contains("no optional AlarmTopicArn parameter (Default \"\")"), problems.toString());
    }

    @Test
    void aDashboardMissingAMetricIsCaught() throws IOException {
        List<String> problems = broken("                [\"Jobline\", \"JobsRetried\", \"Service\", \"${AWS::StackName}\"],\n", "")
                .dashboardShowsTheMetrics();
        assertEquals(List.of("the dashboard does not show JobsRetried"), problems);
    }

    @Test
    void aDashboardBodyThatIsNotJsonIsCaught() throws IOException {
        List<String> problems = broken("            {\"type\": \"alarm\"", "            {\"type\": alarm").dashboardShowsTheMetrics();
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("the dashboard's body is not JSON"), problems.toString());
    }

    // nothing is lost when the stack changes: retained data, an Errors alarm per function, scopes, log retention

    @Test
    void aQueueThatWouldBeDeletedWithTheStackIsCaught() throws IOException {
        List<String> problems = broken("  JobsDeadLetterQueue:\n    Type: AWS::SQS::Queue\n    DeletionPolicy: Retain\n",
                "  JobsDeadLetterQueue:\n    Type: AWS::SQS::Queue\n").dataOutlivesTheStack();
        assertEquals(List.of("JobsDeadLetterQueue: DeletionPolicy is not Retain"), problems);
    }

    @Test
    void aTableThatAReplacementWouldDeleteIsCaught() throws IOException {
        List<String> problems = broken("    Type: AWS::DynamoDB::Table\n    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n",
                "    Type: AWS::DynamoDB::Table\n    DeletionPolicy: Retain\n    UpdateReplacePolicy: Delete\n").dataOutlivesTheStack();
        assertEquals(List.of("JobsTable: UpdateReplacePolicy is not Retain"), problems);
    }

    @Test
    void aTableWithoutPointInTimeRecoveryIsCaught() throws IOException {
        List<String> problems = broken("        PointInTimeRecoveryEnabled: true\n", "        PointInTimeRecoveryEnabled: false\n").dataOutlivesTheStack();
        assertEquals(List.of("JobsTable: point-in-time recovery is not enabled"), problems);
    }

    @Test
    void aFunctionWithoutAnErrorsAlarmIsCaught() throws IOException {
        assertEquals(List.of(), checks(text()).everyFunctionHasAnErrorsAlarm());
        List<String> problems = broken("          Value: !Ref SweeperFunction\n", "          Value: !Ref WorkerFunction\n")
                .everyFunctionHasAnErrorsAlarm();
        assertEquals(List.of("no alarm watches AWS/Lambda Errors of SweeperFunction"), problems);
    }

    @Test
    void anAdminRouteWithoutTheAdminScopeIsCaught() throws IOException {
        List<String> problems = broken("            Path: /stats\n            # API Gateway refuses a token without the admin scope before the function runs (which checks it too)\n            Auth:\n              AuthorizationScopes: [!Ref AdminScope]\n",
                "            Path: /stats\n").adminRoutesNeedTheAdminScope();
        assertEquals(List.of("ApiFunction.Stats (GET /stats, an admin route): Auth.AuthorizationScopes is not [!Ref AdminScope]"), problems);
    }

    @Test
    void aTenantRouteThatAsksForAScopeIsCaught() throws IOException {
        List<String> problems = broken("            Method: POST\n            Path: /jobs\n",
                "            Method: POST\n            Path: /jobs\n            Auth:\n              AuthorizationScopes: [!Ref AdminScope]\n")
                .adminRoutesNeedTheAdminScope();
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("ApiFunction.SubmitJob (POST /jobs, not an admin route) has AuthorizationScopes"), problems.toString());
    }

    @Test
    void aLogRetentionCloudWatchRefusesIsCaught() throws IOException {
        assertEquals(List.of(), checks(text()).logRetentionIsOneCloudWatchAccepts());
        List<String> withoutValues = broken("    AllowedValues: [1, 3, 5, 7, 14, 30,", "    Values: [1, 3, 5, 7, 14, 30,").logRetentionIsOneCloudWatchAccepts();
        assertEquals(1, withoutValues.size(), withoutValues.toString());
        assertTrue(withoutValues.get(0).startsWith("LogRetentionDays: AllowedValues is not the values CloudWatch Logs accepts"));
        List<String> oddValue = broken("    AllowedValues: [1, 3, 5, 7, 14, 30,", "    AllowedValues: [1, 3, 5, 8, 14, 30,").logRetentionIsOneCloudWatchAccepts();
        assertEquals(1, oddValue.size(), oddValue.toString());
        List<String> oddDefault = broken("    Default: 30\n    # the values CloudWatch Logs accepts", "    Default: 45\n    # the values CloudWatch Logs accepts")
                .logRetentionIsOneCloudWatchAccepts();
        assertEquals(List.of("LogRetentionDays: Default 45 is not a value CloudWatch Logs accepts"), oddDefault);
    }

    @Test
    void theSdksEndpointVariablesAreKnownToTheEnvironmentCheck() throws IOException {
        assertEquals(List.of(), checks(text()).environmentIsComplete());
        List<String> problems = broken("        AWS_ENDPOINT_URL_SQS: \"\"\n", "        AWS_ENDPOINT_URL_SQSS: \"\"\n").environmentIsComplete();
        assertTrue(problems.contains("ApiFunction: environment variable AWS_ENDPOINT_URL_SQSS is read by nothing"), problems.toString());
    }

    @Test
    void anEndpointVariableThatIsNotEmptyInAwsIsCaught() throws IOException {
        List<String> problems = broken("        AWS_ENDPOINT_URL_DYNAMODB: \"\"\n", "        AWS_ENDPOINT_URL_DYNAMODB: http://localhost:4567\n")
                .endpointVariablesAreEmpty();
        assertEquals(6, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("ApiFunction: AWS_ENDPOINT_URL_DYNAMODB is http://localhost:4567 in AWS"), problems.toString());
    }

    @Test
    void aFunctionOnX86IsCaught() throws IOException {
        List<String> problems = broken("      Handler: dev.jobline.sweeper.SweeperHandler::handleRequest\n",
                "      Handler: dev.jobline.sweeper.SweeperHandler::handleRequest\n      Architectures: [x86_64]\n").functionsRunOnArm64();
        assertEquals(List.of("SweeperFunction: Architectures is [x86_64], not [arm64]"), problems);
    }

    @Test
    void aFunctionWithoutTheMakefileBuildIsCaught() throws IOException {
        List<String> problems = broken("  WebhookFunction:\n    Type: AWS::Serverless::Function\n    Metadata:\n      BuildMethod: makefile\n",
                "  WebhookFunction:\n    Type: AWS::Serverless::Function\n").functionsAreBuiltByTheMakefile();
        assertEquals(List.of("WebhookFunction: Metadata.BuildMethod is not makefile"), problems);
    }

    @Test
    void aCodeUriNamingTheJarIsCaught() throws IOException {
        // the issue: SAM CLI skips only .zip CodeUris, picks its Maven workflow for a jar and fails ("Not a directory")
        List<String> problems = broken("    CodeUri: .\n", "    CodeUri: functions/target/jobline-functions.jar\n").functionsAreBuiltByTheMakefile();
        assertEquals(6, problems.size(), problems.toString());
        assertTrue(problems.get(0).endsWith("CodeUri functions/target/jobline-functions.jar is not the directory of the Makefile"), problems.toString());
    }

    @Test
    void aCodeUriWithoutAMakefileIsCaught() throws IOException {
        List<String> problems = broken("    CodeUri: .\n", "    CodeUri: events\n").functionsAreBuiltByTheMakefile();
        assertTrue(problems.contains("ApiFunction: CodeUri events holds no Makefile"), problems.toString());
    }

    @Test
    void theWorkerWithoutSnapStartIsCaught() throws IOException {
        List<String> problems = broken("      # as the API: both queues' event source mappings invoke the alias\n      AutoPublishAlias: live\n      SnapStart:\n        ApplyOn: PublishedVersions\n", "")
                .snapStartWherePublishedVersionsAreInvoked();
        assertEquals(List.of("WorkerFunction: SnapStart.ApplyOn is not PublishedVersions"), problems);
    }

    @Test
    void snapStartWithoutAnAliasIsCaught() throws IOException {
        List<String> problems = broken("      # as the API: both queues' event source mappings invoke the alias\n      AutoPublishAlias: live\n", "")
                .snapStartWherePublishedVersionsAreInvoked();
        assertEquals(List.of("WorkerFunction: SnapStart without AutoPublishAlias: its triggers would invoke $LATEST, which has no snapshot"), problems);
    }

    // events/env.json sets only variables the template declares for the function it is meant for

    @SuppressWarnings("unchecked")
    private static Map<String, Object> envJson() throws IOException {
        return (Map<String, Object>) dev.jobline.json.Json.parseObject(Files.readString(EVENTS.resolve("env.json")));
    }

    @Test
    void everyVariableOfEnvJsonIsDeclaredForTheFunctionItIsFor() throws IOException {
        assertEquals(List.of(), checks(text()).envVarsFileIsDeclared(envJson()));
    }

    @Test
    void envJsonNamesEveryFunctionsStorageAndEndpoints() throws IOException {
        Map<String, Object> parameters = (Map<String, Object>) envJson().get("Parameters");
        for (String name : List.of("AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SQS", "TABLE_NAME", "QUEUE_URL")) {
            assertTrue(parameters.containsKey(name), name + " is missing: the functions would reach real AWS resources");
        }
    }

    @Test
    void theRegionAndKeysInAnEnvVarsFileAreCaughtAsDropped() throws IOException {
        List<String> problems = checks(text()).envVarsFileIsDeclared(Map.of("Parameters",
                Map.of("AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "local")));
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.stream().allMatch(p -> p.contains("reserved; SAM sets it itself")), problems.toString());
    }

    @Test
    void anUndeclaredVariableInAnEnvVarsFileIsCaught() throws IOException {
        // the case: the template declared no endpoint variables, so SAM dropped env.json's
        List<String> problems = broken("        AWS_ENDPOINT_URL_SQS: \"\"\n", "").envVarsFileIsDeclared(envJson());
        assertEquals(List.of("Parameters.AWS_ENDPOINT_URL_SQS: not declared by [ApiFunction, WorkerFunction, DeadLetterFunction, "
                + "SweeperFunction, SchedulerFunction, WebhookFunction], so SAM drops it there"), problems);
    }

    @Test
    void aParameterDeclaredBySomeFunctionsOnlyIsCaught() throws IOException {
        List<String> problems = checks(text()).envVarsFileIsDeclared(Map.of("Parameters", Map.of("WORKER_PARALLELISM", "4")));
        assertEquals(List.of("Parameters.WORKER_PARALLELISM: not declared by [ApiFunction, DeadLetterFunction, SweeperFunction, "
                + "SchedulerFunction, WebhookFunction], so SAM drops it there"), problems);
    }

    @Test
    void aFunctionSectionOfAVariableItDoesNotDeclareOrOfNoFunctionIsCaught() throws IOException {
        List<String> problems = checks(text()).envVarsFileIsDeclared(Map.of(
                "SweeperFunction", Map.of("WEBHOOK_SIGNING_KEY", "x"), "NoSuchFunction", Map.of("A", "b")));
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.contains("SweeperFunction.WEBHOOK_SIGNING_KEY: not declared by [SweeperFunction], so SAM drops it there"), problems.toString());
        assertTrue(problems.contains("NoSuchFunction: no function of the template has this logical id"), problems.toString());
    }

    // every file in events/ deserializes into the event type its function accepts

    private static Object deserialize(Class<?> type, InputStream json) {
        return LambdaEventSerializers.serializerFor(type, TemplateChecksTest.class.getClassLoader()).fromJson(json);
    }

    private static void assertUsable(Object event, String file) {
        if (event instanceof APIGatewayV2HTTPEvent http) {
            assertNotNull(http.getRawPath(), file);
            assertNotNull(http.getRequestContext().getHttp().getMethod(), file);
        } else if (event instanceof SQSEvent sqs) {
            assertFalse(sqs.getRecords().isEmpty(), file);
            sqs.getRecords().forEach(record -> {
                assertNotNull(record.getMessageId(), file);
                assertNotNull(record.getBody(), file);
            });
        } else if (event instanceof ScheduledEvent schedule) {
            assertEquals("Scheduled Event", schedule.getDetailType(), file);
        } else {
            throw new AssertionError(file + ": unexpected event class " + event.getClass());
        }
    }

    @Test
    void everyEventFileDeserializesIntoItsFunctionsEventType() throws IOException {
        Map<String, Class<?>> eventTypes = checks(text()).eventTypes();
        List<Path> files;
        try (Stream<Path> listing = Files.list(EVENTS)) {
            files = listing.filter(p -> p.toString().endsWith(".json") && !p.getFileName().toString().equals("env.json")).sorted().toList();
        }
        assertTrue(files.size() >= 6, "events/ holds the scenarios: " + files);
        for (Path file : files) {
            String name = file.getFileName().toString();
            String function = checks(text()).functionFor(dev.jobline.json.Json.parseObject(Files.readString(file)));
            assertNotNull(function, "events/" + name + ": no function of the template would receive it");
            Class<?> type = eventTypes.get(function);
            try (InputStream json = Files.newInputStream(file)) {
                assertUsable(deserialize(type, json), name);
            }
        }
    }

    @Test
    void eachEventFileIsForTheFunctionThatWouldReceiveIt() throws IOException {
        TemplateChecks checks = checks(text());
        Map<String, String> expected = Map.of("api-list-job-types.json", "ApiFunction", "sqs-one-job.json", "WorkerFunction",
                "sqs-one-high-priority-job.json", "WorkerFunction", "sqs-dead-letters.json", "DeadLetterFunction",
                "sqs-one-webhook.json", "WebhookFunction", "schedule-sweep.json", "SweeperFunction");
        for (Map.Entry<String, String> file : expected.entrySet()) {
            assertEquals(file.getValue(), checks.functionFor(dev.jobline.json.Json.parseObject(Files.readString(EVENTS.resolve(file.getKey())))),
                    file.getKey());
        }
    }

    @Test
    void anEventNoFunctionReceivesIsCaught() throws IOException {
        TemplateChecks checks = checks(text());
        String route = Files.readString(EVENTS.resolve("api-list-job-types.json")).replace("GET /job-types", "GET /no-such-route");
        String queue = Files.readString(EVENTS.resolve("sqs-one-job.json")).replace("jobline-JobsQueue", "jobline-NoSuchQueue");

        assertEquals(null, checks.functionFor(dev.jobline.json.Json.parseObject(route)));
        assertEquals(null, checks.functionFor(dev.jobline.json.Json.parseObject(queue)));
    }

    @Test
    void anEventFileOfTheWrongShapeIsCaught() {
        InputStream wrong = new ByteArrayInputStream("{\"Records\":{\"messageId\":\"1\"}}".getBytes(StandardCharsets.UTF_8));
        AssertionError caught = null;
        try {
            assertUsable(deserialize(SQSEvent.class, wrong), "broken.json");
        } catch (AssertionError | RuntimeException e) {
            caught = e instanceof AssertionError error ? error : new AssertionError(e);
        }
        assertNotNull(caught, "a records object instead of a list must not pass");
    }
}
