package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.jobline.job.Job;
import dev.jobline.job.JobStatus;
import dev.jobline.json.Json;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** List, cancel, retry, batch, idempotency, priorities, delays: each through the real API handler. */
@ExtendWith(LocalAwsExtension.class)
class ApiIntegrationTest {
    private Jobline jobline;

    @BeforeEach
    void start(LocalAws aws, LocalResources resources) {
        jobline = new Jobline(aws, resources);
    }

    private static Map<String, Object> body(APIGatewayV2HTTPResponse response, int status) {
        assertEquals(status, response.getStatusCode(), response.getBody());
        return Json.parseObject(response.getBody());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> jobsOf(Map<String, Object> page) {
        return (List<Map<String, Object>>) page.get("jobs");
    }

    private void finishAll() {
        while (jobline.visibleMessages() > 0) {
            jobline.receiveAndDeliver();
        }
    }

    // 1. list

    @Test
    void listShowsTheCallersJobsNewestFirstFilteredAndPaged() {
        String first = jobline.submit("echo", "{\"n\":1}");
        String second = jobline.submit("echo", "{\"n\":2}");
        finishAll();
        String third = jobline.submit("sleep", "{\"millis\":10}");
        String fourth = jobline.submit("echo", "{\"n\":4}");

        Map<String, Object> queued = body(jobline.call("api-list-jobs.json"), 200);
        assertEquals(List.of(fourth, third), jobsOf(queued).stream().map(j -> j.get("jobId")).toList(),
                "the file asks for QUEUED and RUNNING jobs: newest first");

        Map<String, Object> echoes = body(jobline.as("api-list-jobs.json", "tenant-a", Map.of("type", "echo")), 200);
        assertEquals(List.of(fourth, second, first), jobsOf(echoes).stream().map(j -> j.get("jobId")).toList());

        Map<String, Object> pageOne = body(jobline.as("api-list-jobs.json", "tenant-a", Map.of("limit", "3")), 200);
        assertEquals(List.of(fourth, third, second), jobsOf(pageOne).stream().map(j -> j.get("jobId")).toList());
        String cursor = (String) pageOne.get("nextCursor");
        assertNotNull(cursor);
        Map<String, Object> pageTwo = body(jobline.as("api-list-jobs.json", "tenant-a", Map.of("limit", "3", "cursor", cursor)), 200);
        assertEquals(List.of(first), jobsOf(pageTwo).stream().map(j -> j.get("jobId")).toList());
        assertNull(pageTwo.get("nextCursor"));

        // a filtered list one job at a time: each page stops inside what it read, the cursor goes on from there
        List<Object> pagedEchoes = new java.util.ArrayList<>();
        String next = null;
        for (int page = 0; page < 5; page++) {
            Map<String, String> query = next == null ? Map.of("type", "echo", "limit", "1")
                    : Map.of("type", "echo", "limit", "1", "cursor", next);
            Map<String, Object> one = body(jobline.as("api-list-jobs.json", "tenant-a", query), 200);
            jobsOf(one).forEach(j -> pagedEchoes.add(j.get("jobId")));
            next = (String) one.get("nextCursor");
            if (next == null) {
                break;
            }
        }
        assertEquals(List.of(fourth, second, first), pagedEchoes);
        assertNull(next);
    }

    @Test
    void aListNeverShowsAnotherTenantsJobsAndRefusesTheirCursor() {
        jobline.submit("echo", "{}");
        jobline.submit("echo", "{}");
        Map<String, Object> mine = body(jobline.as("api-list-jobs.json", "tenant-a", Map.of("limit", "1")), 200);

        assertTrue(jobsOf(body(jobline.as("api-list-jobs.json", "tenant-b", Map.of()), 200)).isEmpty());
        APIGatewayV2HTTPResponse stolen = jobline.as("api-list-jobs.json", "tenant-b", Map.of("cursor", (String) mine.get("nextCursor")));
        assertEquals("/problems/invalid-cursor", body(stolen, 400).get("type"));
    }

    @Test
    void listParametersAreChecked() {
        assertEquals(400, jobline.as("api-list-jobs.json", "tenant-a", Map.of("status", "DONE")).getStatusCode());
        assertEquals(400, jobline.as("api-list-jobs.json", "tenant-a", Map.of("limit", "0")).getStatusCode());
        assertEquals(400, jobline.as("api-list-jobs.json", "tenant-a", Map.of("limit", "many")).getStatusCode());
        assertEquals(400, jobline.as("api-list-jobs.json", "tenant-a", Map.of("cursor", "!!not-a-cursor")).getStatusCode());
    }

    // 2. cancel

    @Test
    void cancellingAQueuedJobEndsItAtOnce() {
        String jobId = jobline.submit("count", "{}");

        Map<String, Object> view = body(jobline.onJob("api-cancel-job.json", jobId, "tenant-a"), 200);

        assertEquals("CANCELLED", view.get("status"));
        jobline.receiveAndDeliver();
        assertEquals(0, jobline.countedRuns.get(), "the queued message runs nothing");
        assertEquals(JobStatus.CANCELLED, jobline.job(jobId).status());
    }

    @Test
    void cancellingARunningJobFlagsItAndTheWorkerEndsItCancelled() throws Exception {
        Jobline fast = new Jobline(jobline.aws, jobline.resources, Map.of("LEASE_SECONDS", "3"));
        String jobId = fast.submit("sleep", "{\"seconds\":30,\"steps\":60}");
        SQSEvent event = fast.receive(Duration.ofSeconds(2));
        CompletableFuture<?> run = CompletableFuture.runAsync(() -> fast.deliver(event));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (fast.job(jobId).status() != JobStatus.RUNNING && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }

        Map<String, Object> flagged = body(fast.onJob("api-cancel-job.json", jobId, "tenant-a"), 202);

        assertEquals("RUNNING", flagged.get("status"));
        assertEquals(true, flagged.get("cancelRequested"));
        run.get(20, TimeUnit.SECONDS);
        assertEquals(JobStatus.CANCELLED, fast.job(jobId).status());
    }

    @Test
    void cancellingAFinishedJobIs409() {
        String jobId = jobline.submit("echo", "{}");
        finishAll();

        Map<String, Object> problem = body(jobline.onJob("api-cancel-job.json", jobId, "tenant-a"), 409);

        assertEquals("/problems/job-finished", problem.get("type"));
        assertEquals(409, problem.get("status"), "RFC 9457: status is the HTTP status");
        assertEquals("SUCCEEDED", problem.get("jobStatus"));
    }

    // 3. retry

    @Test
    void retryingAFailedJobQueuesItWithAFreshAttemptBudgetAndRunsIt() {
        String jobId = jobline.submit("fail-first", "{}");
        finishAll();
        assertEquals(JobStatus.FAILED, jobline.job(jobId).status());

        Map<String, Object> view = body(jobline.onJob("api-retry-job.json", jobId, "tenant-a"), 202);

        assertEquals("QUEUED", view.get("status"));
        assertEquals(0, view.get("attempts"));
        assertFalse(view.containsKey("error"));
        finishAll();
        Job done = jobline.job(jobId);
        assertEquals(JobStatus.SUCCEEDED, done.status(), "the second run succeeds");
        assertEquals(1, done.attempts());
    }

    @Test
    void retryingAJobThatDidNotFailIs409() {
        String jobId = jobline.submit("echo", "{}");

        Map<String, Object> problem = body(jobline.onJob("api-retry-job.json", jobId, "tenant-a"), 409);
        assertEquals("/problems/job-not-retryable", problem.get("type"));
        assertEquals(409, problem.get("status"));
        assertEquals("QUEUED", problem.get("jobStatus"));
        finishAll();
        assertEquals(409, jobline.onJob("api-retry-job.json", jobId, "tenant-a").getStatusCode());
    }

    // 4. batch

    @Test
    void aBatchStoresAndSendsTheGoodItemsAndNamesTheBadOnes() {
        Map<String, Object> answer = body(jobline.call("api-submit-batch.json"), 202);

        assertEquals(2, answer.get("accepted"));
        assertEquals(1, answer.get("rejected"));
        List<Map<String, Object>> items = jobsOf(answer);
        assertEquals("QUEUED", items.get(0).get("status"));
        assertEquals("QUEUED", items.get(1).get("status"));
        assertEquals("/problems/unknown-job-type", ((Map<?, ?>) items.get(2).get("error")).get("type"));
        assertEquals(2, jobline.storedItems());
        assertEquals(1, jobline.visibleMessages(), "the echo job on the normal queue");
        assertEquals(1, jobline.visibleMessages(jobline.resources.queueUrl("HighPriorityJobsQueue")), "the sleep job on the high queue");
    }

    @Test
    void aBatchOfMoreThanAHundredIsRefusedWhole() {
        StringBuilder jobs = new StringBuilder();
        for (int i = 0; i < 101; i++) {
            jobs.append(i == 0 ? "" : ",").append("{\"type\":\"echo\"}");
        }
        APIGatewayV2HTTPResponse response = jobline.call("api-submit-batch.json", event -> event.setBody("{\"jobs\":[" + jobs + "]}"));

        assertEquals("/problems/invalid-batch-size", body(response, 400).get("type"));
        assertEquals(0, jobline.storedItems());
    }

    @Test
    void aHundredJobsInOneBatchAreAllSent() {
        StringBuilder jobs = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            jobs.append(i == 0 ? "" : ",").append("{\"type\":\"echo\",\"payload\":").append(i).append("}");
        }
        Map<String, Object> answer = body(jobline.call("api-submit-batch.json", event -> event.setBody("{\"jobs\":[" + jobs + "]}")), 202);

        assertEquals(100, answer.get("accepted"));
        assertEquals(100, jobline.storedItems());
        assertEquals(100, jobline.visibleMessages());
    }

    // 5. idempotency

    @Test
    void aRepeatedIdempotencyKeyCreatesOneJob() {
        Map<String, Object> first = body(jobline.call("api-submit-idempotent-job.json"), 202);
        Map<String, Object> again = body(jobline.call("api-submit-idempotent-job.json"), 200);

        assertEquals(first.get("jobId"), again.get("jobId"));
        assertEquals("QUEUED", again.get("status"));
        assertEquals(1, jobline.storedItems());
        // the message goes before the write that finds the job there: a repeat's is a spare, which runs nothing more
        assertEquals(2, jobline.visibleMessages());
        jobline.receiveAndDeliver();
        assertEquals(0, jobline.visibleMessages());
        assertEquals("SUCCEEDED", jobline.view((String) first.get("jobId")).get("status"));
    }

    @Test
    void theSameKeyWithAnotherBodyIs422() {
        body(jobline.call("api-submit-idempotent-job.json"), 202);

        APIGatewayV2HTTPResponse other = jobline.call("api-submit-idempotent-job.json",
                event -> event.setBody("{\"type\":\"echo\",\"payload\":{\"report\":\"monthly\"}}"));

        assertEquals("/problems/idempotency-key-reused", body(other, 422).get("type"));
        assertEquals(1, jobline.storedItems());
    }

    @Test
    void theSameKeyFromTwoTenantsMakesTwoJobs() {
        Map<String, Object> a = body(jobline.call("api-submit-idempotent-job.json"), 202);
        Map<String, Object> b = body(jobline.call("api-submit-idempotent-job.json",
                event -> event.getRequestContext().getAuthorizer().getJwt().getClaims().put("sub", "tenant-b")), 202);

        assertFalse(a.get("jobId").equals(b.get("jobId")));
    }

    @Test
    void aKeyUsedAgainAfterItsWindowStartsANewJobOnceTheOldOneFinished() {
        String jobId = (String) body(jobline.call("api-submit-idempotent-job.json"), 202).get("jobId");
        finishAll();
        jobline.clock.advance(Duration.ofHours(25));

        Map<String, Object> later = body(jobline.call("api-submit-idempotent-job.json"), 202);

        assertEquals(jobId, later.get("jobId"), "the key maps to the same id");
        assertEquals(JobStatus.QUEUED, jobline.job(jobId).status(), "a new job replaced the finished one");
    }

    // 6. priorities

    @Test
    void aHighPriorityJobGoesToTheHighQueueAndRunsFromIt() {
        String jobId = jobline.submit("{\"type\":\"echo\",\"payload\":1,\"priority\":\"high\"}");
        String highQueue = jobline.resources.queueUrl("HighPriorityJobsQueue");
        assertEquals(0, jobline.visibleMessages());

        SQSEvent event = jobline.receive(highQueue, Duration.ofSeconds(2), null);
        assertEquals(1, event.getRecords().size());
        assertTrue(jobline.deliver(event).getBatchItemFailures().isEmpty());

        assertEquals(JobStatus.SUCCEEDED, jobline.job(jobId).status());
        assertEquals("high", jobline.view(jobId).get("priority"));
    }

    @Test
    void anUnknownPriorityIs400() {
        assertEquals(400, jobline.call("api-submit-job.json",
                event -> event.setBody("{\"type\":\"echo\",\"priority\":\"urgent\"}")).getStatusCode());
    }

    // 7. delays and scheduled jobs

    @Test
    void aDelayedJobsMessageIsHeldBackBySqs() {
        String jobId = jobline.submit("{\"type\":\"echo\",\"delaySeconds\":2}");

        assertEquals(0, jobline.visibleMessages(), "not visible during its delay");
        assertNotNull(jobline.view(jobId).get("runAt"));
        SQSEvent event = jobline.receive(Duration.ofSeconds(5));
        if (event.getRecords().isEmpty()) {
            event = jobline.receive(Duration.ofSeconds(5));
        }
        assertEquals(1, event.getRecords().size(), "visible after its delay");
    }

    @Test
    void aJobScheduledAnHourAheadIsSentByTheSweeperWhenDue() {
        String runAt = jobline.clock.instant().plus(Duration.ofHours(1)).toString();
        String jobId = jobline.submit("{\"type\":\"count\",\"runAt\":\"" + runAt + "\"}");
        assertEquals(0, jobline.visibleMessages());
        assertEquals(0, jobline.sweep().get("resent"), "not due yet");

        jobline.clock.advance(Duration.ofMinutes(61));
        assertEquals(1, jobline.sweep().get("resent"));
        jobline.receiveAndDeliver();

        assertEquals(JobStatus.SUCCEEDED, jobline.job(jobId).status());
        assertEquals(1, jobline.countedRuns.get());
    }

    @Test
    void delayAndRunAtAreChecked() {
        assertEquals(400, jobline.call("api-submit-job.json", e -> e.setBody("{\"type\":\"echo\",\"delaySeconds\":901}")).getStatusCode());
        assertEquals(400, jobline.call("api-submit-job.json", e -> e.setBody("{\"type\":\"echo\",\"runAt\":\"tomorrow\"}")).getStatusCode());
        assertEquals(400, jobline.call("api-submit-job.json",
                e -> e.setBody("{\"type\":\"echo\",\"runAt\":\"2026-12-01T00:00:00Z\",\"delaySeconds\":5}")).getStatusCode());
    }

    // 13. tenant isolation everywhere

    @Test
    void anotherTenantGets404FromGetCancelAndRetry() {
        String jobId = jobline.submit("{\"type\":\"fail\",\"payload\":{\"retryable\":false},\"maxAttempts\":1}");
        finishAll();

        for (String file : List.of("api-get-job.json", "api-cancel-job.json", "api-retry-job.json")) {
            APIGatewayV2HTTPResponse response = jobline.onJob(file, jobId, "tenant-b");
            assertEquals(404, response.getStatusCode(), file + ": " + response.getBody());
            assertEquals("application/problem+json", response.getHeaders().get("content-type"));
        }
        assertEquals(JobStatus.FAILED, jobline.job(jobId).status(), "nothing changed");
    }

    @Test
    void everyErrorOfEveryRouteIsProblemJson() {
        List<APIGatewayV2HTTPResponse> errors = new ArrayList<>();
        errors.add(jobline.onJob("api-cancel-job.json", "no-such-job", "tenant-a"));
        errors.add(jobline.onJob("api-retry-job.json", "bad id!", "tenant-a"));
        errors.add(jobline.call("api-submit-batch.json", e -> e.setBody("[]")));
        errors.add(jobline.as("api-list-jobs.json", "tenant-a", Map.of("limit", "101")));
        errors.add(jobline.call("api-stats.json", e -> e.getRequestContext().getAuthorizer().getJwt().getClaims().remove("scope")));
        errors.add(jobline.call("api-redrive-dry-run.json", e -> e.setBody("{\"limit\":\"all\"}")));
        for (APIGatewayV2HTTPResponse error : errors) {
            assertTrue(error.getStatusCode() >= 400 && error.getStatusCode() < 500, error.getStatusCode() + " " + error.getBody());
            assertEquals("application/problem+json", error.getHeaders().get("content-type"), error.getBody());
            assertTrue(Json.parseObject(error.getBody()).containsKey("detail"));
        }
    }
}
