package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.jobline.job.JobStatus;
import dev.jobline.json.Json;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Per-tenant quotas, statistics, redrive, health and job types. */
@ExtendWith(LocalAwsExtension.class)
class AdminAndQuotaIntegrationTest {

    private static Map<String, Object> body(APIGatewayV2HTTPResponse response, int status) {
        assertEquals(status, response.getStatusCode(), response.getBody());
        return Json.parseObject(response.getBody());
    }

    private static void finishAll(Jobline jobline) {
        while (jobline.visibleMessages() > 0) {
            jobline.receiveAndDeliver();
        }
    }

    // 8. quotas

    @Test
    void aTenantOverItsInFlightCapGets429WithRetryAfterUntilAJobEnds(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources, Map.of("TENANT_MAX_IN_FLIGHT", "2"));
        jobline.submit("echo", "{}");
        jobline.submit("echo", "{}");

        APIGatewayV2HTTPResponse refused = jobline.call("api-submit-job.json");

        Map<String, Object> problem = body(refused, 429);
        assertEquals("/problems/quota-exceeded", problem.get("type"));
        assertEquals("maxInFlight", problem.get("limit"));
        assertNotNull(refused.getHeaders().get("retry-after"));
        assertEquals(2, jobline.storedItems(), "the refused job was not stored");
        assertEquals(202, jobline.call("api-submit-job.json",
                e -> e.getRequestContext().getAuthorizer().getJwt().getClaims().put("sub", "tenant-b")).getStatusCode(),
                "another tenant has its own quota");

        finishAll(jobline);   // ends the tenants' jobs
        assertEquals(202, jobline.call("api-submit-job.json").getStatusCode(), "room again once jobs ended");
    }

    @Test
    void aTenantOverItsSubmitRateGets429UntilTheNextMinute(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources, Map.of("TENANT_SUBMITS_PER_MINUTE", "3"));
        // start at the top of a minute so the window cannot roll over mid-test
        jobline.clock.advance(Duration.ofSeconds(60 - jobline.clock.instant().getEpochSecond() % 60));
        for (int i = 0; i < 3; i++) {
            jobline.submit("echo", "{}");
        }

        APIGatewayV2HTTPResponse refused = jobline.call("api-submit-job.json");

        assertEquals("submitsPerMinute", body(refused, 429).get("limit"));
        long retryAfter = Long.parseLong(refused.getHeaders().get("retry-after"));
        assertTrue(retryAfter >= 1 && retryAfter <= 60, "retry-after " + retryAfter);
        jobline.clock.advance(Duration.ofSeconds(60));
        assertEquals(202, jobline.call("api-submit-job.json").getStatusCode());
    }

    @Test
    void fiftyConcurrentSubmitsOfAFreshTenantAreAllAccepted(LocalAws aws, LocalResources resources) throws Exception {
        Jobline jobline = new Jobline(aws, resources);
        String tenant = "fresh-" + java.util.UUID.randomUUID();
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(50);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        try {
            List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++) {
                answers.add(callers.submit(() -> {
                    go.await();
                    return jobline.call("api-submit-job.json",
                            e -> e.getRequestContext().getAuthorizer().getJwt().getClaims().put("sub", tenant)).getStatusCode();
                }));
            }
            // all at once: the first write of a tenant's minute opens its window, and the others race it
            go.countDown();
            Map<Integer, Integer> statuses = new java.util.TreeMap<>();
            for (java.util.concurrent.Future<Integer> answer : answers) {
                statuses.merge(answer.get(), 1, Integer::sum);
            }
            assertEquals(Map.of(202, 50), statuses, "50 submits, well under the 600 a minute the tenant may make");
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void aBatchLargerThanTheRoomLeftIsRefusedWhole(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources, Map.of("TENANT_MAX_IN_FLIGHT", "2"));

        APIGatewayV2HTTPResponse refused = jobline.call("api-submit-batch.json",
                e -> e.setBody("{\"jobs\":[{\"type\":\"echo\"},{\"type\":\"echo\"},{\"type\":\"echo\"}]}"));

        assertEquals(429, refused.getStatusCode());
        assertEquals(0, jobline.storedItems());
    }

    // 9. admin

    @Test
    void statsNeedTheAdminScope(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);

        APIGatewayV2HTTPResponse forbidden = jobline.call("api-stats.json",
                e -> e.getRequestContext().getAuthorizer().getJwt().getClaims().remove("scope"));

        assertEquals("/problems/forbidden", body(forbidden, 403).get("type"));
        assertEquals(403, jobline.call("api-redrive-dry-run.json",
                e -> e.getRequestContext().getAuthorizer().getJwt().getClaims().put("scope", "jobline/read")).getStatusCode());
    }

    @Test
    @SuppressWarnings("unchecked")
    void statsCountJobsPerStatusAndShowQueueDepths(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        jobline.submit("echo", "{}");
        jobline.submit("echo", "{}");
        jobline.submit("{\"type\":\"fail\",\"payload\":{\"retryable\":false},\"maxAttempts\":1}");
        finishAll(jobline);
        jobline.submit("echo", "{}");
        jobline.clock.advance(Duration.ofSeconds(30));
        // in flight per type and the oldest wait are what the last reconciliation counted (it settles for a minute)
        jobline.reconcile();

        Map<String, Object> stats = body(jobline.call("api-stats.json"), 200);

        Map<String, Object> jobs = (Map<String, Object>) stats.get("jobs");
        assertEquals(2, jobs.get("SUCCEEDED"));
        assertEquals(1, jobs.get("FAILED"));
        assertEquals(1, jobs.get("QUEUED"));
        assertEquals(0, jobs.get("RUNNING"));
        Map<String, Object> queues = (Map<String, Object>) stats.get("queues");
        assertEquals(1, ((Map<String, Object>) queues.get("normal")).get("visible"));
        assertEquals(0, ((Map<String, Object>) queues.get("deadLetter")).get("visible"));
        long age = ((Number) stats.get("oldestQueuedAgeSeconds")).longValue();
        assertTrue(age >= 90 && age <= 101, "the queued job has waited about 30 s, and the run's minute: " + age);
        assertEquals(Map.of("QUEUED", 1, "RUNNING", 0, "LIMITED", 0, "WAITING", 0), ((Map<String, Object>) stats.get("inFlightByType")).get("echo"));
        assertEquals(2, ((Map<String, Object>) ((Map<String, Object>) stats.get("byTenant")).get("tenant-a")).get("SUCCEEDED"));
    }

    @Test
    void everyRedriveFieldIsCheckedAndABadOneIs400NotStorageUnreachable(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        Map<String, String> bodies = new java.util.LinkedHashMap<>();
        bodies.put("{\"from\":\"2026-11-24T19:00:00Z\",\"to\":\"2026-11-24T18:00:00Z\"}", "from");
        bodies.put("{\"to\":\"+1000000000-01-01T00:00:00Z\"}", "to");
        bodies.put("{\"from\":\"1969-12-31T23:59:59Z\"}", "from");
        bodies.put("{\"type\":null}", "type");
        bodies.put("{\"dryRun\":null}", "dryRun");
        bodies.put("{\"limit\":null}", "limit");
        bodies.put("{\"reason\":\"" + "R".repeat(129) + "\"}", "reason");
        bodies.put("{\"type\":\"\"}", "type");

        bodies.forEach((redrive, field) -> {
            APIGatewayV2HTTPResponse response = jobline.call("api-redrive-dry-run.json", e -> e.setBody(redrive));

            Map<String, Object> problem = body(response, 400);
            assertEquals("/problems/invalid-field", problem.get("type"), redrive);
            assertEquals(field, problem.get("field"), redrive);
        });
    }

    @Test
    void aRedriveWithoutABodyTakesTheDefaultsAndNeedsNoContentType(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);

        APIGatewayV2HTTPResponse response = jobline.call("api-redrive-dry-run.json", e -> {
            e.setBody(null);
            e.getHeaders().remove("content-type");
        });

        assertEquals(0, body(response, 200).get("matched"));
    }

    @Test
    void aRedriveDryRunChangesNothing(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String failed = jobline.submit("{\"type\":\"fail\",\"payload\":{\"retryable\":false,\"code\":\"BAD\"},\"maxAttempts\":1}");
        finishAll(jobline);

        Map<String, Object> dryRun = body(jobline.call("api-redrive-dry-run.json",
                e -> e.setBody("{\"reason\":\"BAD\",\"dryRun\":true}")), 200);

        assertEquals(1, dryRun.get("matched"));
        assertEquals(0, dryRun.get("requeued"));
        assertEquals(List.of(failed), dryRun.get("jobIds"));
        assertEquals(JobStatus.FAILED, jobline.job(failed).status());
        assertEquals(0, jobline.visibleMessages());
    }

    @Test
    void aRedriveRequeuesTheMatchingFailedJobsOnly(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String bad = jobline.submit("{\"type\":\"fail\",\"payload\":{\"retryable\":false,\"code\":\"BAD\"},\"maxAttempts\":1}");
        String other = jobline.submit("{\"type\":\"fail\",\"payload\":{\"retryable\":false,\"code\":\"OTHER\"},\"maxAttempts\":1}");
        finishAll(jobline);

        Map<String, Object> redrive = body(jobline.call("api-redrive-dry-run.json",
                e -> e.setBody("{\"reason\":\"BAD\",\"type\":\"fail\"}")), 200);

        assertEquals(1, redrive.get("requeued"));
        assertEquals(JobStatus.QUEUED, jobline.job(bad).status());
        assertEquals(0, jobline.job(bad).attempts());
        assertEquals(JobStatus.FAILED, jobline.job(other).status());
        assertEquals(1, jobline.visibleMessages());
    }

    @Test
    void aRedriveMovesRawDeadLettersBackToTheirQueue(LocalAws aws, LocalResources resources) throws InterruptedException {
        Jobline jobline = new Jobline(aws, resources);
        String jobId = jobline.submit("count", "{}");
        for (int i = 0; i < 40 && jobline.visibleMessages(jobline.deadLetterQueueUrl) == 0; i++) {
            jobline.receive(jobline.queueUrl, Duration.ofSeconds(1), Duration.ZERO);
        }
        assertEquals(1, jobline.visibleMessages(jobline.deadLetterQueueUrl));

        Map<String, Object> redrive = body(jobline.call("api-redrive-dry-run.json",
                e -> e.setBody("{\"moveDeadLetterMessages\":true}")), 200);

        assertEquals(Boolean.TRUE, ((Map<?, ?>) redrive.get("deadLetterMove")).get("started"));
        // the move task runs in the background; on a loaded machine it can take a while to start. Both job
        // queues redrive to this DLQ; ElasticMQ does not always pick the message's own source queue, so
        // the test accepts either of the DLQ's sources (AWS returns it to the queue it came from)
        String highQueue = resources.queueUrl("HighPriorityJobsQueue");
        for (int i = 0; i < 600 && jobline.visibleMessages() + jobline.visibleMessages(highQueue) == 0; i++) {
            Thread.sleep(100);
        }
        assertEquals(1, jobline.visibleMessages() + jobline.visibleMessages(highQueue), "the message is back on a jobs queue");
        assertEquals(0, jobline.visibleMessages(jobline.deadLetterQueueUrl));
        String back = jobline.visibleMessages() == 1 ? jobline.queueUrl : highQueue;
        jobline.deliver(jobline.receive(back, Duration.ofSeconds(2), null));
        assertEquals(JobStatus.SUCCEEDED, jobline.job(jobId).status());
    }

    // 10. health and job types

    @Test
    void healthAnswersWithoutAuthentication(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);

        Map<String, Object> health = body(jobline.call("api-health.json"), 200);

        assertEquals("ok", health.get("status"));
        assertEquals(Map.of("table", "ok", "queues", "ok"), health.get("checks"));
    }

    @Test
    void healthIs503WhenTheTableIsGone(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources, Map.of("TABLE_NAME", "no-such-table"));

        assertEquals("unavailable", body(jobline.call("api-health.json"), 503).get("status"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void jobTypesListsTheRegisteredTypesAndTheirLimits(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);

        Map<String, Object> answer = body(jobline.call("api-get-job.json", e -> {
            e.setRawPath("/job-types");
            e.getRequestContext().getHttp().setPath("/job-types");
        }), 200);

        List<Map<String, Object>> types = (List<Map<String, Object>>) answer.get("types");
        Map<String, Object> fail = types.stream().filter(t -> "fail".equals(t.get("name"))).findFirst().orElseThrow();
        assertEquals(3, fail.get("maxAttempts"));
        assertEquals(10, fail.get("timeoutSeconds"));
        assertTrue(types.stream().anyMatch(t -> "echo".equals(t.get("name"))));
    }
}
