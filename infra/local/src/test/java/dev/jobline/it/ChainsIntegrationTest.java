package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.jobline.job.Job;
import dev.jobline.job.JobError;
import dev.jobline.job.JobStatus;
import dev.jobline.json.Json;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import dev.jobline.store.Lease;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Job chains on the local stack, through the real handlers: a dependent job waits, is released by its parents' ends
 * (through the worker's lifecycle), is cancelled with DEPENDENCY_FAILED down the chain when one fails, reads its
 * parents' results; flows are stored whole or refused; a release lost with its invocation is made by the sweeper.
 */
@ExtendWith(LocalAwsExtension.class)
@SuppressWarnings("unchecked")
class ChainsIntegrationTest {
    /** Past the template's QUEUED_STALE_SECONDS (900): the sweeper looks at a job submitted before. */
    private static final Duration PAST_STALE = Duration.ofMinutes(16);

    private static String dependent(String type, String payload, String... parents) {
        return "{\"type\":\"" + type + "\",\"payload\":" + payload + ",\"dependsOn\":" + Json.write(List.of(parents)) + "}";
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> body(APIGatewayV2HTTPResponse response, int status) {
        assertEquals(status, response.getStatusCode(), response.getBody());
        return Json.parseObject(response.getBody());
    }

    /** Receives and delivers until every one of the jobs has ended (or 30 s pass). */
    private static void drainUntilEnded(Jobline jobline, String... jobIds) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (List.of(jobIds).stream().allMatch(id -> jobline.job(id).status().isTerminal())) {
                return;
            }
            SQSEvent event = jobline.receive(Duration.ofSeconds(1));
            if (!event.getRecords().isEmpty()) {
                jobline.deliver(event);
            }
        }
        throw new AssertionError("not all ended within 30 s: " + List.of(jobIds).stream()
                .map(id -> id + "=" + jobline.job(id).status()).toList());
    }

    private static APIGatewayV2HTTPResponse batch(Jobline jobline, String jobsJson) {
        return jobline.call("api-submit-batch.json", event -> event.setBody("{\"jobs\":" + jobsJson + "}"));
    }

    @Test
    void aChainOfThreeSucceedsInOrderEachStartingOnlyAfterItsParentSucceeded(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String crawl = jobline.submit("echo", "{\"site\":\"example.com\"}");
        String scan = jobline.submit(dependent("echo", "{\"pages\":3}", crawl));
        String report = jobline.submit(dependent("collect", "{\"report\":\"weekly\"}", scan));
        assertEquals("WAITING", jobline.view(scan).get("status"));
        assertEquals(List.of(crawl), jobline.view(scan).get("dependsOn"));
        assertEquals(List.of(scan), jobline.view(crawl).get("dependents"));

        drainUntilEnded(jobline, crawl, scan, report);

        Job first = jobline.job(crawl);
        Job second = jobline.job(scan);
        Job third = jobline.job(report);
        assertEquals(List.of(JobStatus.SUCCEEDED, JobStatus.SUCCEEDED, JobStatus.SUCCEEDED),
                List.of(first.status(), second.status(), third.status()));
        assertFalse(second.startedAt().isBefore(first.finishedAt()), "the scan started after the crawl had succeeded");
        assertFalse(third.startedAt().isBefore(second.finishedAt()), "the report started after the scan had succeeded");
        // the handler read its parent's result through JobContext.parentResults()
        Map<String, Object> result = Json.parseObject(third.result());
        assertEquals(Map.of(scan, Map.of("pages", 3)), result.get("parentResults"));
    }

    @Test
    void aFailedMiddleJobCancelsTheTailWithDependencyFailedNamingIt(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String crawl = jobline.submit("echo", "{}");
        String scan = jobline.submit(dependent("fail", "{\"retryable\":false}", crawl));
        String report = jobline.submit(dependent("echo", "{}", scan));
        String mail = jobline.submit(dependent("echo", "{}", report));

        drainUntilEnded(jobline, crawl, scan, report, mail);

        assertEquals(JobStatus.FAILED, jobline.job(scan).status());
        Map<String, Object> tail = jobline.view(report);
        assertEquals("CANCELLED", tail.get("status"));
        Map<String, Object> error = (Map<String, Object>) tail.get("error");
        assertEquals(JobError.DEPENDENCY_FAILED, error.get("code"));
        assertTrue(((String) error.get("message")).contains(scan + ", which this job depends on, ended FAILED"), error.toString());
        assertNull(tail.get("startedAt"), "it never ran");
        Job last = jobline.job(mail);
        assertEquals(JobStatus.CANCELLED, last.status());
        assertTrue(last.error().message().contains(report), "and so on down the chain: " + last.error().message());
        assertEquals(0, jobline.visibleMessages(), "nothing of the tail was sent");
    }

    @Test
    void aFanInWaitsForBothParents(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String left = jobline.submit("echo", "{\"side\":\"left\"}");
        // its message is held back 3 s: the left parent ends well before it
        String right = jobline.submit("{\"type\":\"echo\",\"payload\":{\"side\":\"right\"},\"delaySeconds\":3}");
        String both = jobline.submit(dependent("collect", "{}", left, right));

        jobline.receiveAndDeliver();
        assertEquals(JobStatus.SUCCEEDED, jobline.job(left).status());
        assertEquals(JobStatus.QUEUED, jobline.job(right).status());
        assertEquals(JobStatus.WAITING, jobline.job(both).status(), "one parent has succeeded, the other has not run");

        drainUntilEnded(jobline, right, both);

        Job fanIn = jobline.job(both);
        assertEquals(JobStatus.SUCCEEDED, fanIn.status());
        assertFalse(fanIn.startedAt().isBefore(jobline.job(right).finishedAt()));
        assertEquals(Map.of(left, Map.of("side", "left"), right, Map.of("side", "right")),
                Json.parseObject(fanIn.result()).get("parentResults"));
    }

    @Test
    void anUnknownOrAnotherTenantsJobInDependsOnIs422AndNothingIsStored(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String theirs = jobline.submit("echo", "{}");
        int stored = jobline.storedItems();

        APIGatewayV2HTTPResponse foreign = jobline.call("api-submit-job.json", event -> {
            event.setBody(dependent("echo", "{}", theirs));
            event.getRequestContext().getAuthorizer().getJwt().getClaims().put("sub", "tenant-b");
        });
        APIGatewayV2HTTPResponse unknown = jobline.call("api-submit-job.json",
                event -> event.setBody(dependent("echo", "{}", "00000000-0000-4000-8000-00000000dead")));

        Map<String, Object> refused = body(foreign, 422);
        assertEquals("/problems/unknown-dependency", refused.get("type"));
        assertEquals(theirs, refused.get("dependency"));
        assertEquals("/problems/unknown-dependency", body(unknown, 422).get("type"));
        assertEquals(stored, jobline.storedItems(), "nothing stored");
        assertFalse(jobline.view(theirs).containsKey("dependents"), "another tenant's job is not touched");
    }

    @Test
    void aBatchFlowRunsCrawlScanReportAndIsAnsweredWithEveryJob(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);

        Map<String, Object> answer = body(batch(jobline, """
                [{"ref":"crawl","type":"echo","payload":{"site":"example.com"}},
                 {"ref":"scan","type":"echo","payload":{"pages":3},"dependsOn":["ref:crawl"]},
                 {"ref":"report","type":"collect","dependsOn":["ref:crawl","ref:scan"]}]"""), 202);

        List<Map<String, Object>> jobs = (List<Map<String, Object>>) answer.get("jobs");
        assertEquals(3, answer.get("accepted"));
        assertEquals(List.of("QUEUED", "WAITING", "WAITING"), jobs.stream().map(job -> job.get("status")).toList());
        String crawl = (String) jobs.get(0).get("jobId");
        String scan = (String) jobs.get(1).get("jobId");
        String report = (String) jobs.get(2).get("jobId");
        assertEquals(List.of(crawl, scan), jobs.get(2).get("dependsOn"));

        drainUntilEnded(jobline, crawl, scan, report);

        Job last = jobline.job(report);
        assertEquals(JobStatus.SUCCEEDED, last.status());
        assertEquals(Map.of(crawl, Map.of("site", "example.com"), scan, Map.of("pages", 3)),
                Json.parseObject(last.result()).get("parentResults"));
    }

    @Test
    void aCycleInABatchFlowIs422AndNothingIsStored(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);

        Map<String, Object> problem = body(batch(jobline, """
                [{"ref":"crawl","type":"echo"},
                 {"ref":"scan","type":"echo","dependsOn":["ref:crawl","ref:report"]},
                 {"ref":"report","type":"echo","dependsOn":["ref:scan"]}]"""), 422);

        assertEquals("/problems/dependency-cycle", problem.get("type"));
        assertEquals(List.of("scan", "report"), problem.get("items"));
        assertEquals(0, jobline.storedItems());
        assertEquals(0, jobline.visibleMessages());
    }

    @Test
    void anInvalidItemOfAFlowIsAnsweredWithItsIndexAndNothingIsStored(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);

        Map<String, Object> problem = body(batch(jobline, """
                [{"ref":"crawl","type":"echo"},
                 {"ref":"scan","type":"echo","dependsOn":["ref:crawl"],"maxAttempts":0}]"""), 400);

        assertEquals(1, problem.get("index"));
        assertEquals("maxAttempts", problem.get("field"));
        assertEquals(0, jobline.storedItems());
    }

    @Test
    void aReleaseLostWithItsInvocationIsMadeByTheSweeper(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String parent = jobline.submit("echo", "{}");
        String child = jobline.submit(dependent("echo", "{}", parent));
        // a worker claims and ends the parent, and dies before its lifecycle's listeners run: no release
        Lease lease = new Lease("dead-worker/1", jobline.clock.instant().plusSeconds(60));
        jobline.store().claim(parent, lease, jobline.clock.instant()).orElseThrow();
        jobline.store().succeed(parent, lease.owner(), "\"done\"", null, null, jobline.clock.instant()).orElseThrow();
        jobline.receive(Duration.ofSeconds(1));   // the parent's message, taken by the dead worker
        assertEquals(JobStatus.WAITING, jobline.job(child).status());

        Map<String, Object> early = jobline.sweep();
        assertEquals(0, early.get("released"), "not due yet");
        jobline.clock.advance(PAST_STALE);
        Map<String, Object> sweep = jobline.sweep();

        assertEquals(1, sweep.get("released"));
        assertEquals(JobStatus.QUEUED, jobline.job(child).status());
        jobline.receiveAndDeliver();
        assertEquals(JobStatus.SUCCEEDED, jobline.job(child).status());
    }

    @Test
    void theCountsPerStatusFollowAChainThroughStats(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String parent = jobline.submit("echo", "{}");
        String child = jobline.submit(dependent("echo", "{}", parent));
        // the reconciliation's count finds the tenant's record right as the moves wrote it
        assertEquals(0L, ((Number) jobline.reconcile().get("tenantsCorrected")).longValue());

        Map<String, Object> waiting = body(jobline.call("api-stats.json"), 200);
        assertEquals(1, ((Map<String, Object>) waiting.get("jobs")).get("WAITING"));
        assertEquals(1, ((Map<String, Object>) waiting.get("jobs")).get("QUEUED"));
        assertEquals(2, waiting.get("inFlightJobs"));
        assertEquals(Map.of("QUEUED", 1, "RUNNING", 0, "LIMITED", 0, "WAITING", 1),
                ((Map<String, Object>) waiting.get("inFlightByType")).get("echo"));
        assertEquals(2L, jobline.tenants().read(List.of("tenant-a")).get("tenant-a").inFlight(), "a waiting job holds its place");

        drainUntilEnded(jobline, parent, child);
        assertEquals(0L, ((Number) jobline.reconcile().get("tenantsCorrected")).longValue(),
                "the release and both ends were counted as they happened");

        Map<String, Object> done = body(jobline.call("api-stats.json"), 200);
        Map<String, Object> jobs = (Map<String, Object>) done.get("jobs");
        assertEquals(List.of(0, 0, 0, 2), List.of(jobs.get("WAITING"), jobs.get("QUEUED"), jobs.get("RUNNING"), jobs.get("SUCCEEDED")));
        assertEquals(0, done.get("inFlightJobs"));
    }

    @Test
    void theTenantCancelsAWaitingJobAndTheJobsWaitingForItEndWithIt(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String parent = jobline.submit("echo", "{}");
        String child = jobline.submit(dependent("echo", "{}", parent));
        String grandchild = jobline.submit(dependent("echo", "{}", child));

        Map<String, Object> cancelled = body(jobline.onJob("api-cancel-job.json", child, "tenant-a"), 200);

        assertEquals("CANCELLED", cancelled.get("status"));
        assertFalse(cancelled.containsKey("error"), "cancelled by its tenant");
        Job last = jobline.job(grandchild);
        assertEquals(JobStatus.CANCELLED, last.status());
        assertEquals(JobError.DEPENDENCY_FAILED, last.error().code());
        jobline.receiveAndDeliver();
        assertEquals(JobStatus.SUCCEEDED, jobline.job(parent).status(), "the parent runs on");
        assertEquals(JobStatus.CANCELLED, jobline.job(child).status(), "its end finds nothing waiting");
    }
}
