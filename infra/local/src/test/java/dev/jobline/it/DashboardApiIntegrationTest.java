package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.jobline.json.Json;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import dev.jobline.store.DeadLetter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the dashboard reads and does, through the API handler (every call checked against openapi.yaml): waits on a
 * job, pausing a type, filtered lists over tenants, bulk actions, kept dead letters.
 */
@ExtendWith(LocalAwsExtension.class)
class DashboardApiIntegrationTest {

    /** A call of any route as the given tenant, optionally with the admin scope. */
    private static APIGatewayV2HTTPResponse call(Jobline jobline, String method, String path, Map<String, String> query,
                                                 String body, String tenant, boolean admin, Map<String, String> headers) {
        return jobline.call("api-submit-job.json", event -> {
            event.setRawPath(path);
            event.setRouteKey(method + " " + path);
            event.getRequestContext().getHttp().setMethod(method);
            event.getRequestContext().getHttp().setPath(path);
            event.setBody(body);
            event.setQueryStringParameters(query.isEmpty() ? null : new HashMap<>(query));
            Map<String, String> claims = event.getRequestContext().getAuthorizer().getJwt().getClaims();
            claims.put("sub", tenant);
            if (admin) {
                claims.put("scope", "jobline/admin");
            }
            Map<String, String> all = new HashMap<>(event.getHeaders());
            all.putAll(headers);
            event.setHeaders(all);
        });
    }

    private static Map<String, Object> body(APIGatewayV2HTTPResponse response, int status) {
        assertEquals(status, response.getStatusCode(), response.getBody());
        return Json.parseObject(response.getBody());
    }

    private static List<String> ids(Map<String, Object> page) {
        List<String> ids = new ArrayList<>();
        for (Object job : (List<?>) page.get("jobs")) {
            ids.add((String) ((Map<?, ?>) job).get("jobId"));
        }
        return ids;
    }

    private static long version(APIGatewayV2HTTPResponse response) {
        return Long.parseLong(response.getHeaders().get("etag").replace("\"", ""));
    }

    // ---- waiting for a job

    @Test
    void aWaitingGetAnswersWithinASecondOfTheJobsNextWrite(LocalAws aws, LocalResources resources) throws Exception {
        // given a queued job and a caller waiting on its version
        Jobline jobline = new Jobline(aws, resources);
        String jobId = jobline.submit("{\"type\":\"echo\",\"delaySeconds\":600}");
        long known = version(jobline.get(jobId, "tenant-a"));
        CompletableFuture<APIGatewayV2HTTPResponse> waiting = CompletableFuture.supplyAsync(() -> call(jobline, "GET",
                "/jobs/" + jobId, Map.of("waitSeconds", "20", "ifVersion", Long.toString(known)), null, "tenant-a", false, Map.of()));
        Thread.sleep(2_000);
        assertFalse(waiting.isDone(), "nothing changed yet: still waiting");

        // when the job is written (cancelled)
        body(jobline.onJob("api-cancel-job.json", jobId, "tenant-a"), 200);
        long written = System.nanoTime();

        // then the wait answers with the new version within a second of that write
        APIGatewayV2HTTPResponse answer = waiting.get(5, TimeUnit.SECONDS);
        long afterWrite = Duration.ofNanos(System.nanoTime() - written).toMillis();
        assertTrue(afterWrite < 1_000, "answered " + afterWrite + " ms after the write");
        assertEquals("CANCELLED", body(answer, 200).get("status"));
        assertTrue(version(answer) > known);
    }

    @Test
    void aWaitWithoutAChangeAnswersWhenItEndsTheSameJobOr304(LocalAws aws, LocalResources resources) {
        // given a queued job nobody touches
        Jobline jobline = new Jobline(aws, resources);
        String jobId = jobline.submit("{\"type\":\"echo\",\"delaySeconds\":600}");
        APIGatewayV2HTTPResponse current = jobline.get(jobId, "tenant-a");
        long known = version(current);

        // when a caller waits 2 s on its version, by ifVersion and by If-None-Match
        long started = System.nanoTime();
        APIGatewayV2HTTPResponse byVersion = call(jobline, "GET", "/jobs/" + jobId,
                Map.of("waitSeconds", "2", "ifVersion", Long.toString(known)), null, "tenant-a", false, Map.of());
        long byVersionMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        started = System.nanoTime();
        APIGatewayV2HTTPResponse byEtag = call(jobline, "GET", "/jobs/" + jobId, Map.of("waitSeconds", "2"), null,
                "tenant-a", false, Map.of("if-none-match", current.getHeaders().get("etag")));
        long byEtagMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();

        // then each answers at the end of the wait: the same job, or 304 Not Modified
        assertTrue(byVersionMillis >= 2_000 && byVersionMillis < 3_500, byVersionMillis + " ms");
        assertEquals(known, version(byVersion));
        assertEquals("QUEUED", body(byVersion, 200).get("status"));
        assertTrue(byEtagMillis >= 2_000 && byEtagMillis < 3_500, byEtagMillis + " ms");
        assertEquals(304, byEtag.getStatusCode());
        assertNull(byEtag.getBody());
        // an ETag that no longer matches answers at once
        assertEquals(200, call(jobline, "GET", "/jobs/" + jobId, Map.of("waitSeconds", "20"), null, "tenant-a", false,
                Map.of("if-none-match", "\"" + (known - 1) + "\"")).getStatusCode());
    }

    @Test
    void aWaitLongerThanTheGatewayAllowsIs400(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String jobId = jobline.submit("{\"type\":\"echo\"}");

        Map<String, Object> problem = body(call(jobline, "GET", "/jobs/" + jobId, Map.of("waitSeconds", "26"), null,
                "tenant-a", false, Map.of()), 400);

        assertEquals("waitSeconds", problem.get("field"));
    }

    @Test
    void submitWithAWaitAnswersTheFinishedEchoJobInOneCall(LocalAws aws, LocalResources resources) throws Exception {
        // given a worker delivering whatever arrives
        Jobline jobline = new Jobline(aws, resources);
        AtomicBoolean working = new AtomicBoolean(true);
        CompletableFuture<Void> worker = CompletableFuture.runAsync(() -> {
            while (working.get()) {
                var batch = jobline.receive(Duration.ofSeconds(1));
                if (!batch.getRecords().isEmpty()) {
                    jobline.deliver(batch);
                }
            }
        });
        try {
            // when an echo job is submitted with a wait
            APIGatewayV2HTTPResponse answer = call(jobline, "POST", "/jobs", Map.of("waitSeconds", "15"),
                    "{\"type\":\"echo\",\"payload\":{\"hello\":\"waited\"}}", "tenant-a", false, Map.of());

            // then the one call answers 200 with the finished job and its result
            Map<String, Object> job = body(answer, 200);
            assertEquals("SUCCEEDED", job.get("status"));
            assertEquals(Map.of("hello", "waited"), job.get("result"));
        } finally {
            working.set(false);
            worker.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void submitWithAWaitThatEndsFirstAnswers202AsWithout(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);

        Map<String, Object> job = body(call(jobline, "POST", "/jobs", Map.of("waitSeconds", "1"),
                "{\"type\":\"echo\"}", "tenant-a", false, Map.of()), 202);

        assertEquals("QUEUED", job.get("status"), "no worker ran it");
    }

    // ---- pausing a type

    @Test
    void aPausedTypesMessageIsHeldWithoutAnAttemptAndTheSweeperDoesNotResendItsJob(LocalAws aws, LocalResources resources) throws Exception {
        // given the echo type paused, and a paused job's message coming round every second
        Jobline jobline = new Jobline(aws, resources,
                Map.of("PAUSED_RECHECK_SECONDS", "1", "QUEUED_STALE_SECONDS", "10"));
        Map<String, Object> paused = body(call(jobline, "POST", "/job-types/echo/pause", Map.of(), null, "ops", true, Map.of()), 200);
        assertEquals(true, paused.get("paused"));
        String jobId = jobline.submit("echo", "{}");

        // when the worker receives its message, and the sweeper looks after it has been QUEUED too long
        jobline.receiveAndDeliver();
        jobline.clock.advance(Duration.ofMinutes(20));
        Map<String, Object> sweep = jobline.sweep();

        // then it is still QUEUED with no attempt spent, a fresh copy of its message is on its way, nothing was resent
        assertEquals("QUEUED", jobline.job(jobId).status().name());
        assertEquals(0, jobline.job(jobId).attempts());
        assertEquals(0, ((Number) sweep.get("resent")).intValue(), "a paused type's job is not lost: " + sweep);
        Thread.sleep(1_500);
        assertEquals(1, jobline.visibleMessages(), "the held message's copy");
        Map<String, Object> stats = body(call(jobline, "GET", "/stats", Map.of(), null, "ops", true, Map.of()), 200);
        assertTrue(((Map<?, ?>) stats.get("pausedTypes")).containsKey("echo"), String.valueOf(stats.get("pausedTypes")));
        List<?> types = (List<?>) body(call(jobline, "GET", "/job-types", Map.of(), null, "tenant-a", false, Map.of()), 200).get("types");
        assertTrue(types.stream().anyMatch(type -> "echo".equals(((Map<?, ?>) type).get("name")) && Boolean.TRUE.equals(((Map<?, ?>) type).get("paused"))));

        // and once resumed, the copy runs it
        body(call(jobline, "POST", "/job-types/echo/resume", Map.of(), null, "ops", true, Map.of()), 200);
        Thread.sleep(2_100);   // the worker reads the paused types at most every 2 s
        jobline.receiveAndDeliver();
        assertEquals("SUCCEEDED", jobline.job(jobId).status().name());
        assertEquals(1, jobline.job(jobId).attempts());
    }

    @Test
    void pausingNeedsTheAdminScopeAndAKnownType(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);

        assertEquals(403, call(jobline, "POST", "/job-types/echo/pause", Map.of(), null, "tenant-a", false, Map.of()).getStatusCode());
        assertEquals(404, call(jobline, "POST", "/job-types/no-such-type/pause", Map.of(), null, "ops", true, Map.of()).getStatusCode());
    }

    // ---- lists, bulk actions, dead letters

    @Test
    void anOperatorListsEveryTenantsJobsMergedNewestFirstAPageAtATime(LocalAws aws, LocalResources resources) throws Exception {
        // given jobs of two tenants, submitted in turn
        Jobline jobline = new Jobline(aws, resources);
        List<String> submitted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String tenant = i % 2 == 0 ? "tenant-a" : "tenant-b";
            submitted.add(0, (String) body(call(jobline, "POST", "/jobs", Map.of(), "{\"type\":\"echo\",\"payload\":{\"i\":" + i + "}}",
                    tenant, false, Map.of()), 202).get("jobId"));
            Thread.sleep(5);
        }

        // when an operator lists all tenants two at a time
        List<String> listed = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 5; page++) {
            Map<String, String> query = new HashMap<>(Map.of("limit", "2", "view", "summary"));
            if (cursor != null) {
                query.put("cursor", cursor);
            }
            Map<String, Object> answer = body(call(jobline, "GET", "/jobs", query, null, "ops", true, Map.of()), 200);
            listed.addAll(ids(answer));
            for (Object job : (List<?>) answer.get("jobs")) {
                assertFalse(((Map<?, ?>) job).containsKey("payload"), "a summary leaves the payload out");
                assertNotNull(((Map<?, ?>) job).get("payloadBytes"));
            }
            cursor = (String) answer.get("nextCursor");
            if (cursor == null) {
                break;
            }
        }

        // then every job of both tenants comes once, newest first
        assertEquals(submitted, listed);
        // a tenant sees its own only, and may not name another
        assertEquals(3, ids(body(call(jobline, "GET", "/jobs", Map.of(), null, "tenant-a", false, Map.of()), 200)).size());
        assertEquals(403, call(jobline, "GET", "/jobs", Map.of("tenant", "tenant-b"), null, "tenant-a", false, Map.of()).getStatusCode());
        assertEquals(2, ids(body(call(jobline, "GET", "/jobs", Map.of("tenant", "tenant-b"), null, "ops", true, Map.of()), 200)).size());
        // an id search finds the one job
        assertEquals(List.of(submitted.get(2)), ids(body(call(jobline, "GET", "/jobs", Map.of("jobId", submitted.get(2)), null,
                "ops", true, Map.of()), 200)));
    }

    @Test
    void theCreatedRangeSelectsTheJobsCreatedWithinIt(LocalAws aws, LocalResources resources) throws Exception {
        Jobline jobline = new Jobline(aws, resources);
        String before = jobline.submit("echo", "{}");
        Thread.sleep(1_100);
        Instant from = Instant.now();
        String inside = jobline.submit("echo", "{}");
        Thread.sleep(1_100);
        Instant to = Instant.now();
        String after = jobline.submit("echo", "{}");

        List<String> listed = ids(body(call(jobline, "GET", "/jobs", Map.of("createdAfter", from.toString(),
                "createdBefore", to.toString()), null, "tenant-a", false, Map.of()), 200));

        assertEquals(List.of(inside), listed, "not " + before + " nor " + after);
        assertEquals(400, call(jobline, "GET", "/jobs", Map.of("createdAfter", "yesterday"), null, "tenant-a", false, Map.of())
                .getStatusCode());
    }

    @Test
    void aBulkCancelDryRunCountsWhatTheFilterSelectsAndTheActionCancelsThoseIds(LocalAws aws, LocalResources resources) {
        // given three queued sleep jobs and a queued echo job of tenant-a
        Jobline jobline = new Jobline(aws, resources);
        List<String> sleeps = List.of(jobline.submit("sleep", "{\"millis\":1}"), jobline.submit("sleep", "{\"millis\":1}"),
                jobline.submit("sleep", "{\"millis\":1}"));
        String echo = jobline.submit("echo", "{}");

        // when a dry run selects the queued sleep jobs
        Map<String, Object> dry = body(call(jobline, "POST", "/jobs/bulk-cancel", Map.of(),
                "{\"dryRun\":true,\"filter\":{\"status\":\"QUEUED\",\"type\":\"sleep\"}}", "tenant-a", false, Map.of()), 200);

        // then it counts them and changes nothing
        assertEquals(3, ((Number) dry.get("matched")).intValue());
        assertEquals(new java.util.HashSet<>(sleeps), new java.util.HashSet<>((List<?>) dry.get("jobIds")));
        assertEquals("QUEUED", jobline.job(sleeps.get(0)).status().name());

        // and the action cancels exactly those ids
        Map<String, Object> done = body(call(jobline, "POST", "/jobs/bulk-cancel", Map.of(),
                Json.write(Map.of("jobIds", dry.get("jobIds"))), "tenant-a", false, Map.of()), 200);
        assertEquals(3, ((Number) done.get("done")).intValue());
        sleeps.forEach(id -> assertEquals("CANCELLED", jobline.job(id).status().name()));
        assertEquals("QUEUED", jobline.job(echo).status().name());
        // another tenant cannot act on them, and a retry filter naming QUEUED is refused
        Map<String, Object> foreign = body(call(jobline, "POST", "/jobs/bulk-retry", Map.of(),
                Json.write(Map.of("jobIds", sleeps)), "tenant-b", false, Map.of()), 200);
        assertEquals(0, ((Number) foreign.get("done")).intValue());
        assertEquals(400, call(jobline, "POST", "/jobs/bulk-retry", Map.of(), "{\"dryRun\":true,\"filter\":{\"status\":\"QUEUED\"}}",
                "tenant-a", false, Map.of()).getStatusCode());
    }

    @Test
    void theKeptDeadLettersAreListedNewestFirstWithAPreviewOfTheirBody(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        Instant now = Instant.now();
        jobline.store().keepDeadLetter(new DeadLetter("m-old", "not a job", Map.of("x", "1"), 25, "unreadable", now.minusSeconds(60)));
        jobline.store().keepDeadLetter(new DeadLetter("m-new", "x".repeat(2_000), Map.of(), 25, "unreadable", now));

        Map<String, Object> letters = body(call(jobline, "GET", "/admin/dead-letters", Map.of(), null, "ops", true, Map.of()), 200);

        List<?> kept = (List<?>) letters.get("kept");
        assertEquals(List.of("m-new", "m-old"), kept.stream().map(letter -> ((Map<?, ?>) letter).get("messageId")).toList());
        Map<?, ?> newest = (Map<?, ?>) kept.get(0);
        assertEquals(2_000, ((Number) newest.get("bodyBytes")).intValue());
        assertEquals(512, ((String) newest.get("bodyPreview")).length());
        assertNotNull(letters.get("deadLetterQueue"));
        assertEquals(403, call(jobline, "GET", "/admin/dead-letters", Map.of(), null, "tenant-a", false, Map.of()).getStatusCode());
    }
}
