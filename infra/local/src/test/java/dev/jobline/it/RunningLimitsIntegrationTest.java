package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.jobline.job.Job;
import dev.jobline.job.JobStatus;
import dev.jobline.job.JobType;
import dev.jobline.json.Json;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import dev.jobline.worker.WorkerHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Running limits under parallel workers (several worker environments, each running its batches' records in
 * parallel, as Lambda runs concurrent invocations): a type's maxConcurrent, a type's per-tenant cap and the
 * deployment's per-tenant cap (TENANT_MAX_RUNNING) are never exceeded at any moment, as the handlers record it; every
 * job still succeeds on its first attempt (waiting spends none), and a waiting job shows what it waits for.
 */
@ExtendWith(LocalAwsExtension.class)
class RunningLimitsIntegrationTest {
    private static final int WORKERS = 3;
    private static final long WORK_MILLIS = 300;
    private static final Duration WITHIN = Duration.ofMinutes(3);

    private final Overlaps overlaps = new Overlaps();

    /** A type whose handler counts itself in its type's group and its tenant's. */
    private JobType recorded(String name) {
        return JobType.of(name, context -> {
            overlaps.run(List.of(name, name + "/" + context.tenantId()), WORK_MILLIS);
            return "done";
        });
    }

    /** Submits {@code count} jobs of the type as the tenant, in one batch; their ids. */
    private static List<String> submit(Jobline jobline, String tenant, String type, int count) {
        StringBuilder body = new StringBuilder("{\"jobs\":[");
        for (int i = 0; i < count; i++) {
            body.append(i == 0 ? "" : ",").append("{\"type\":\"").append(type).append("\",\"payload\":{\"n\":").append(i).append("}}");
        }
        APIGatewayV2HTTPResponse response = jobline.call("api-submit-batch.json", event -> {
            event.setBody(body.append("]}").toString());
            event.getRequestContext().getAuthorizer().getJwt().getClaims().put("sub", tenant);
        });
        assertEquals(202, response.getStatusCode(), response.getBody());
        List<String> ids = new ArrayList<>();
        for (Object item : (List<?>) Json.parseObject(response.getBody()).get("jobs")) {
            ids.add((String) ((Map<?, ?>) item).get("jobId"));
        }
        assertEquals(count, ids.size());
        return ids;
    }

    /**
     * Drains the jobs queue with {@value #WORKERS} worker environments at once until every job has ended, while
     * GET /jobs/{id} watches the jobs not yet ended; answers each job's last view and the waits it showed.
     */
    private static Watched runInParallel(Jobline jobline, Map<String, String> tenantOf) throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        List<CompletableFuture<Void>> pollers = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            WorkerHandler worker = jobline.newWorker();
            pollers.add(CompletableFuture.runAsync(() -> {
                while (!done.get()) {
                    SQSEvent event = jobline.receive(Duration.ofSeconds(1));
                    if (!event.getRecords().isEmpty()) {
                        jobline.deliver(worker, event, Duration.ofSeconds(60));
                    }
                }
            }));
        }
        Watched watched = new Watched(new HashMap<>(), new LinkedHashSet<>());
        Set<String> pending = new LinkedHashSet<>(tenantOf.keySet());
        long deadline = System.nanoTime() + WITHIN.toNanos();
        try {
            while (!pending.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("not ended within " + WITHIN + ": " + pending.size() + " jobs");
                }
                for (String jobId : List.copyOf(pending)) {
                    Map<String, Object> view = Json.parseObject(jobline.get(jobId, tenantOf.get(jobId)).getBody());
                    watched.views().put(jobId, view);
                    if (view.get("waitingFor") != null) {
                        assertEquals("QUEUED", view.get("status"), "only a queued job waits: " + view);
                        assertEquals(0, view.get("attempts"), "a waiting job has spent no attempt: " + view);
                        watched.waits().add(String.valueOf(view.get("waitingFor")));
                    }
                    if (JobStatus.valueOf((String) view.get("status")).isTerminal()) {
                        pending.remove(jobId);
                    }
                }
                Thread.sleep(100);
            }
        } finally {
            done.set(true);
            CompletableFuture.allOf(pollers.toArray(CompletableFuture[]::new)).get(90, TimeUnit.SECONDS);
        }
        return watched;
    }

    /** The last view of each job, and every waitingFor a view showed. */
    private record Watched(Map<String, Map<String, Object>> views, Set<String> waits) {
    }

    private static void assertEveryJobSucceededOnItsFirstAttempt(Jobline jobline, Watched watched) {
        for (Map.Entry<String, Map<String, Object>> job : watched.views().entrySet()) {
            assertEquals("SUCCEEDED", job.getValue().get("status"), job.toString());
            assertEquals(1, job.getValue().get("attempts"), "waiting spent no attempt: " + job);
            assertFalse(job.getValue().containsKey("waitingFor"), "an ended job waits for nothing: " + job);
        }
        assertEquals(0, jobline.visibleMessages(jobline.deadLetterQueueUrl), "no waiting job's message was dead-lettered");
        KeyItems.limitHolds(jobline).forEach((limit, held) -> assertEquals(0, held, "no hold of " + limit + " was left behind"));
    }

    private static Map<String, String> as(String tenant, List<String> ids, Map<String, String> into) {
        ids.forEach(id -> into.put(id, tenant));
        return into;
    }

    @Test
    void aTypesMaxConcurrentIsNeverExceededUnderParallelWorkers(LocalAws aws, LocalResources resources) throws Exception {
        Jobline jobline = new Jobline(aws, resources, Map.of(), List.of(recorded("limited").withMaxConcurrent(3, 0)));
        Map<String, String> jobs = new HashMap<>();
        as("tenant-a", submit(jobline, "tenant-a", "limited", 12), jobs);
        as("tenant-b", submit(jobline, "tenant-b", "limited", 12), jobs);

        Watched watched = runInParallel(jobline, jobs);

        assertEveryJobSucceededOnItsFirstAttempt(jobline, watched);
        assertEquals(24, overlaps.runs("limited"), "each job ran once");
        assertTrue(overlaps.mostAtOnce().get("limited") <= 3, "live counts: " + overlaps.mostAtOnce());
        assertTrue(overlaps.mostOverlapping().get("limited") <= 3, "start and end times: " + overlaps.mostOverlapping());
        assertTrue(overlaps.mostOverlapping().get("limited") >= 2, "the jobs did run side by side: " + overlaps.mostOverlapping());
        assertTrue(watched.waits().contains("type limit"), "a waiting job showed why: " + watched.waits());
    }

    @Test
    void aTypesPerTenantCapIsNeverExceededForAnyTenantUnderParallelWorkers(LocalAws aws, LocalResources resources) throws Exception {
        Jobline jobline = new Jobline(aws, resources, Map.of(), List.of(recorded("per-tenant").withMaxConcurrent(0, 2)));
        Map<String, String> jobs = new HashMap<>();
        as("tenant-a", submit(jobline, "tenant-a", "per-tenant", 10), jobs);
        as("tenant-b", submit(jobline, "tenant-b", "per-tenant", 10), jobs);

        Watched watched = runInParallel(jobline, jobs);

        assertEveryJobSucceededOnItsFirstAttempt(jobline, watched);
        Map<String, Integer> most = overlaps.mostOverlapping();
        assertTrue(most.get("per-tenant/tenant-a") <= 2 && overlaps.mostAtOnce().get("per-tenant/tenant-a") <= 2, most.toString());
        assertTrue(most.get("per-tenant/tenant-b") <= 2 && overlaps.mostAtOnce().get("per-tenant/tenant-b") <= 2, most.toString());
        assertTrue(watched.waits().contains("type limit for this tenant"), watched.waits().toString());
    }

    @Test
    void theDeploymentsPerTenantRunningCapIsNeverExceededUnderParallelWorkers(LocalAws aws, LocalResources resources) throws Exception {
        Jobline jobline = new Jobline(aws, resources, Map.of("TENANT_MAX_RUNNING", "2"), List.of(recorded("unlimited")));
        Map<String, String> jobs = new HashMap<>();
        as("tenant-a", submit(jobline, "tenant-a", "unlimited", 10), jobs);
        as("tenant-b", submit(jobline, "tenant-b", "unlimited", 10), jobs);

        Watched watched = runInParallel(jobline, jobs);

        assertEveryJobSucceededOnItsFirstAttempt(jobline, watched);
        Map<String, Integer> most = overlaps.mostOverlapping();
        assertTrue(most.get("unlimited/tenant-a") <= 2 && overlaps.mostAtOnce().get("unlimited/tenant-a") <= 2, most.toString());
        assertTrue(most.get("unlimited/tenant-b") <= 2 && overlaps.mostAtOnce().get("unlimited/tenant-b") <= 2, most.toString());
        assertTrue(watched.waits().contains("tenant limit"), watched.waits().toString());
    }

    @Test
    void aJobLongerThanItsLeaseKeepsItsPlaceThroughItsHeartbeats(LocalAws aws, LocalResources resources) throws Exception {
        // a lease of 2 s, extended every 2/3 s by the heartbeat, and the limit's hold with it
        JobType longSolo = JobType.of("long-solo", context -> {
            overlaps.run(List.of("long-solo"), ((Number) ((Map<?, ?>) context.payload()).get("millis")).longValue());
            return "done";
        }).withMaxConcurrent(1, 0);
        Jobline jobline = new Jobline(aws, resources, Map.of("LEASE_SECONDS", "2", "VISIBILITY_SECONDS", "4"), List.of(longSolo));
        String longJob = jobline.submit("long-solo", "{\"millis\":8000}");
        CompletableFuture<SQSBatchResponse> running = CompletableFuture.supplyAsync(() -> jobline.receiveAndDeliver());
        Jobline.waitUntil("the long job runs", () -> jobline.job(longJob).status() == JobStatus.RUNNING);
        long claimed = System.nanoTime();
        String shortJob = jobline.submit("long-solo", "{\"millis\":200}");

        // more than two of its leases later, the long job still runs and still holds the only place
        Thread.sleep(Math.max(0, Duration.ofSeconds(5).toMillis() - Duration.ofNanos(System.nanoTime() - claimed).toMillis()));
        jobline.receiveAndDeliver();

        assertEquals(JobStatus.RUNNING, jobline.job(longJob).status());
        Job waiting = jobline.job(shortJob);
        assertEquals(JobStatus.QUEUED, waiting.status(), "the long job's place was kept by its heartbeats");
        assertEquals("type limit", waiting.waitingFor());
        running.get(30, TimeUnit.SECONDS);
        assertEquals(JobStatus.SUCCEEDED, jobline.drainUntilEnded(shortJob).status());
        assertEquals(1, jobline.job(shortJob).attempts());
        assertEquals(1, overlaps.mostOverlapping().get("long-solo"), "never two at once");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aJobThatFindsItsLimitFullWaitsQueuedWithoutSpendingAnAttemptAndStartsWhenAPlaceFrees(LocalAws aws,
            LocalResources resources) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        JobType solo = JobType.of("solo", context -> release.await(30, TimeUnit.SECONDS)).withMaxConcurrent(1, 0);
        Jobline jobline = new Jobline(aws, resources, Map.of(), List.of(solo));
        String first = jobline.submit("solo", "{}");
        CompletableFuture<SQSBatchResponse> running = CompletableFuture.supplyAsync(() -> jobline.receiveAndDeliver());
        Jobline.waitUntil("the first job runs", () -> jobline.job(first).status() == JobStatus.RUNNING);
        String second = jobline.submit("solo", "{}");

        SQSBatchResponse waited = jobline.receiveAndDeliver();

        assertEquals(1, waited.getBatchItemFailures().size(), "its message goes back to the queue");
        Map<String, Object> view = jobline.view(second);
        assertEquals("QUEUED", view.get("status"));
        assertEquals("type limit", view.get("waitingFor"));
        assertEquals(0, view.get("attempts"));
        jobline.reconcile();
        Map<String, Object> stats = Json.parseObject(jobline.call("api-stats.json").getBody());
        assertEquals(Map.of("QUEUED", 1, "RUNNING", 1, "LIMITED", 1, "WAITING", 0), ((Map<String, Object>) stats.get("inFlightByType")).get("solo"));
        assertEquals(Map.of("QUEUED", 1, "RUNNING", 1, "LIMITED", 1, "WAITING", 0), ((Map<String, Object>) stats.get("inFlightByTenant")).get("tenant-a"));

        release.countDown();
        running.get(30, TimeUnit.SECONDS);
        Job done = jobline.drainUntilEnded(second);

        assertEquals(JobStatus.SUCCEEDED, done.status());
        assertEquals(1, done.attempts(), "the wait spent no attempt");
        assertFalse(jobline.view(second).containsKey("waitingFor"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void jobTypesListsEachTypesLimitsAndTheDeploymentsTenantCap(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources, Map.of("TENANT_MAX_RUNNING", "7"),
                List.of(recorded("limited").withMaxConcurrent(3, 1).withPurpose("a test type")));

        APIGatewayV2HTTPResponse response = jobline.call("api-list-job-types.json");

        assertEquals(200, response.getStatusCode());
        Map<String, Map<String, Object>> types = new HashMap<>();
        for (Object type : (List<?>) Json.parseObject(response.getBody()).get("types")) {
            types.put((String) ((Map<?, ?>) type).get("name"), (Map<String, Object>) type);
        }
        assertEquals("a test type", types.get("limited").get("purpose"));
        Map<String, Object> limited = (Map<String, Object>) types.get("limited").get("limits");
        assertEquals(3, limited.get("maxConcurrent"));
        assertEquals(1, limited.get("maxConcurrentPerTenant"));
        assertEquals(7, limited.get("tenantMaxRunning"));
        Map<String, Object> echo = (Map<String, Object>) types.get("echo").get("limits");
        assertEquals(Map.of("tenantMaxRunning", 7), echo, "no limits of its own: only the deployment's is listed");
        assertFalse(((Map<String, Object>) types.get("echo").get("concurrencyKey")).containsKey("fromPayload"));
        Map<String, Object> scanKey = (Map<String, Object>) types.get("scan-site").get("concurrencyKey");
        assertEquals("siteId", scanKey.get("fromPayload"));
        assertEquals("active", scanKey.get("scope"));
    }

    @Test
    void aClaimThatCameAfterItsLeaseRanOutIsGivenBackUnstartedAndALaterReceiveRunsItOnce(LocalAws aws, LocalResources resources)
            throws Exception {
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        Jobline jobline = new Jobline(aws, resources, Map.of("LEASE_SECONDS", "3", "VISIBILITY_SECONDS", "5"),
                List.of(JobType.of("stalled-claim", context -> runs.incrementAndGet()).withMaxConcurrent(1, 0)));
        String jobId = submit(jobline, "tenant-a", "stalled-claim", 1).get(0);
        // the table answers the claim 2.6 s after the worker took its lease of 3 s: too little of it is left to start
        jobline.faults.stallClaims(Duration.ofMillis(2_600));
        WorkerHandler worker = jobline.newWorker();
        SQSEvent first = jobline.receive(Duration.ofSeconds(5));
        assertEquals(1, first.getRecords().size());
        SQSBatchResponse answer = jobline.deliver(worker, first, Duration.ofSeconds(60));

        assertEquals(1, answer.getBatchItemFailures().size(), "its message goes back to the queue");
        assertEquals(0, runs.get(), "the handler did not start");
        Map<String, Object> back = Json.parseObject(jobline.get(jobId, "tenant-a").getBody());
        assertEquals("QUEUED", back.get("status"), back.toString());
        assertEquals(0, back.get("attempts"), "the attempt is not counted: " + back);
        assertFalse(back.containsKey("startedAt"), "it never started: " + back);
        KeyItems.limitHolds(jobline).forEach((limit, held) -> assertEquals(0, held, limit + " was given back"));

        jobline.faults.heal();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Map<String, Object> view = back;
        while (!"SUCCEEDED".equals(view.get("status")) && System.nanoTime() < deadline) {
            SQSEvent next = jobline.receive(Duration.ofSeconds(2));
            if (!next.getRecords().isEmpty()) {
                jobline.deliver(worker, next, Duration.ofSeconds(60));
            }
            view = Json.parseObject(jobline.get(jobId, "tenant-a").getBody());
        }
        assertEquals("SUCCEEDED", view.get("status"), view.toString());
        assertEquals(1, view.get("attempts"), view.toString());
        assertEquals(1, runs.get(), "run once");
    }
}
