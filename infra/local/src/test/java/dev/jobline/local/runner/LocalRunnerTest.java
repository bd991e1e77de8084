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
    void anOperatorsReconciliationRunsOnTheSweepersScheduleAndSendsAJobWhoseMessageWasLost() throws Exception {
        // the API's messages go to a queue nobody reads: a job stored QUEUED whose message is lost to the workers
        int sqsPort;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            sqsPort = free.getLocalPort();
        }
        String nowhere = "http://127.0.0.1:" + sqsPort + "/000000000000/lost-letters";
        runner = LocalRunner.start(options()
                .withStackPorts(0, sqsPort)
                .withScheduleRate(Duration.ofSeconds(1))
                // the scheduler's and the daily reconciliation's rules would fire every second too: the operator starts it
                .withDisabledEvents(java.util.Set.of("SchedulerFunction.Fire", "SweeperFunction.Reconcile"))
                .withEnvironment(Map.of(
                        "Parameters", Map.of("QUEUED_STALE_SECONDS", "10"),
                        "ApiFunction", Map.of("QUEUE_URL", nowhere))));
        java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + sqsPort + "/?Action=CreateQueue&QueueName=lost-letters")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        ApiCalls api = new ApiCalls(runner.apiUrl());
        String jobId = api.submit("{\"type\":\"echo\",\"payload\":\"lost\"}");
        Thread.sleep(11_000);
        assertEquals("QUEUED", status(api, jobId), "its message went where no worker reads");

        String admin = "Bearer eyJhbGciOiJub25lIn0." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"sub\":\"local-dev\",\"scope\":\"jobline/admin\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8)) + ".";
        ApiCalls.Answer started = api.postJson("/admin/reconcile", "{}", "authorization", admin);

        assertEquals(202, started.status(), started.body());
        // the sweeps (every second here) carry the run on: its scan sends the stale job to the jobs queue
        Eventually.until(BOUND, () -> status(api, jobId), "SUCCEEDED"::equals, "the reconciled job succeeds");
        assertTrue(runner.invocations().latest(200).stream().anyMatch(entry ->
                entry.invocation().function().equals("SweeperFunction")
                        && entry.invocation().response().contains("\"resent\":1")), "a sweep's reconciliation sent it again");
    }
}
