package dev.jobline.local.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jobline.local.LocalAwsExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner on the repository's template.yaml: real HTTP on 127.0.0.1, real handlers, emulated triggers. */
class LocalRunnerTest {
    private static final Duration BOUND = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private LocalRunner runner;

    private RunnerOptions options() {
        return RunnerOptions.defaults(LocalAwsExtension.template())
                .withApiPort(0)
                .withStackPorts(0, 0)
                .withOutput(RunnerOptions.Output.PLAIN)
                .withLogFile(dir.resolve("jobline.log"));
    }

    @AfterEach
    void stop() {
        if (runner != null) {
            runner.close();
        }
    }

    private static String status(ApiCalls api, String jobId) {
        return (String) api.get("/jobs/" + jobId).json().get("status");
    }

    @Test
    void aJobSubmittedOverHttpReachesSucceededThroughTheQueuesEventSource() {
        runner = LocalRunner.start(options());
        ApiCalls api = new ApiCalls(runner.apiUrl());
        assertEquals("127.0.0.1", runner.apiUrl().getHost());

        String jobId = api.submit("{\"type\":\"echo\",\"payload\":{\"hello\":\"local\"}}");

        Eventually.until(BOUND, () -> status(api, jobId), "SUCCEEDED"::equals, "job " + jobId + " succeeds");
        Map<String, Object> job = api.get("/jobs/" + jobId).json();
        assertEquals(Map.of("hello", "local"), job.get("result"));
        // the template routes HEAD for a job and the list, as API Gateway would: GET's status and headers, no body
        ApiCalls.Answer head = api.head("/jobs/" + jobId);
        assertEquals(200, head.status());
        assertEquals("", head.body());
        assertEquals(api.get("/jobs/" + jobId).header("etag"), head.header("etag"));
        assertTrue(head.header("etag") != null, "HEAD carries GET's headers");
        assertEquals(200, api.head("/jobs").status());
        assertEquals(404, api.head("/jobs/no-such-job").status());
        assertEquals(1, job.get("attempts"));
        // the worker runs with the template's MemorySize (1024 MB), as Lambda tells a function in its environment
        Map<?, ?> cost = (Map<?, ?>) job.get("cost");
        double gbSeconds = ((Number) cost.get("gbSeconds")).doubleValue();
        double computeSeconds = ((Number) cost.get("computeMillis")).doubleValue() / 1000;
        assertTrue(computeSeconds > 0, "compute was recorded: " + cost);
        assertEquals(computeSeconds, gbSeconds, 0.0001 + computeSeconds * 0.01, "GB-seconds at 1 GB: " + cost);
        assertTrue(runner.invocations().latest(50).stream().anyMatch(entry ->
                        entry.invocation().function().equals("WorkerFunction")
                                && entry.invocation().trigger().startsWith("SQS Jobs") && entry.outcome().equals("ok")),
                "the worker ran from the Jobs event source");
    }

    @Test
    void theCallerIsTheBearerTokensSubjectOrTheTenantHeaderOrTheDefaultTenant() {
        runner = LocalRunner.start(options().withDefaultTenant("tenant-default"));
        ApiCalls api = new ApiCalls(runner.apiUrl());
        String payload = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"sub\":\"tenant-b\"}".getBytes());
        String unsigned = "eyJhbGciOiJub25lIn0." + payload + ".";

        String byToken = api.submit("{\"type\":\"echo\"}", "Authorization", "Bearer " + unsigned);
        String byDefault = api.submit("{\"type\":\"echo\"}");

        assertEquals(200, api.get("/jobs/" + byToken, "X-Jobline-Tenant", "tenant-b").status());
        assertEquals(404, api.get("/jobs/" + byToken).status(), "another tenant's job does not exist for you");
        assertEquals(200, api.get("/jobs/" + byDefault, "X-Jobline-Tenant", "tenant-default").status());
        ApiCalls.Answer unreadable = api.get("/jobs/" + byToken, "Authorization", "Bearer not-a-jwt");
        assertEquals(401, unreadable.status());
        assertEquals("{\"message\":\"Unauthorized\"}", unreadable.body());
        assertEquals(200, api.get("/health", "Authorization", "Bearer not-a-jwt").status(),
                "a route with Auth: {Authorizer: NONE} has no authorizer to refuse the token");
    }

    @Test
    void aTenantHeaderTooLongForATenantIdOrATokenWhoseSubIsNotAStringIs401() {
        runner = LocalRunner.start(options());
        ApiCalls api = new ApiCalls(runner.apiUrl());
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();

        ApiCalls.Answer longTenant = api.postJson("/jobs", "{\"type\":\"echo\"}", "X-Jobline-Tenant", "t".repeat(8_000));
        ApiCalls.Answer numberSub = api.postJson("/jobs", "{\"type\":\"echo\"}",
                "Authorization", "Bearer eyJhbGciOiJub25lIn0." + base64.encodeToString("{\"sub\":123}".getBytes()) + ".");
        ApiCalls.Answer arraySub = api.get("/jobs",
                "Authorization", "Bearer eyJhbGciOiJub25lIn0." + base64.encodeToString("{\"sub\":[\"a\"]}".getBytes()) + ".");

        assertEquals(401, longTenant.status(), longTenant.body());
        assertEquals("/problems/invalid-tenant", longTenant.json().get("type"), "the function refuses it, not the storage");
        assertEquals(401, numberSub.status(), numberSub.body());
        assertEquals("{\"message\":\"Unauthorized\"}", numberSub.body(), "the local authorizer refuses the token");
        assertEquals(401, arraySub.status(), arraySub.body());
    }

    @Test
    void theScheduleRunsTheSweeperWhichResendsAJobWhoseSendWasLost() {
        // the API sends to a queue that does not exist: the job is stored QUEUED and its message is lost
        runner = LocalRunner.start(options()
                .withScheduleRate(Duration.ofSeconds(1))
                // the scheduler's rule would fire every second too, crowding the sweeps out of the bounded invocation log
                .withDisabledEvents(java.util.Set.of("SchedulerFunction.Fire"))
                .withEnvironment(Map.of(
                        "Parameters", Map.of("QUEUED_STALE_SECONDS", "10"),
                        "ApiFunction", Map.of("QUEUE_URL", "http://127.0.0.1:1/000000000000/no-such-queue"))));
        ApiCalls api = new ApiCalls(runner.apiUrl());

        String jobId = api.submit("{\"type\":\"echo\",\"payload\":\"lost\"}");
        assertEquals("QUEUED", status(api, jobId));

        // stale after 10 s; the next sweep re-sends it and the worker runs it
        Eventually.until(BOUND, () -> status(api, jobId), "SUCCEEDED"::equals, "the swept job succeeds");
        assertTrue(runner.invocations().count("SweeperFunction") >= 2, "the schedule fires every second");
        assertTrue(runner.invocations().latest(200).stream().anyMatch(entry ->
                entry.invocation().function().equals("SweeperFunction")
                        && entry.invocation().response().contains("\"resent\":1")), "a sweep re-sent the job");
    }
}
