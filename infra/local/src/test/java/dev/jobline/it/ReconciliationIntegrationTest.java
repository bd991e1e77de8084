package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.jobline.job.JobStatus;
import dev.jobline.json.Json;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import dev.jobline.store.TenantStore;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The reconciliation against the local stack, through the real handlers: the sweeper function carries runs on, the
 * API starts them. A submitted job is carried by the queue, not the sweeper's index: deleting its message is what
 * only the reconciliation finds.
 */
@ExtendWith(LocalAwsExtension.class)
class ReconciliationIntegrationTest {
    /** The template's RECONCILE_STALE_SECONDS: the daily run's stale time for a QUEUED job. */
    private static final Duration STALE = Duration.ofSeconds(3600);

    /** Someone deletes the job's message behind Jobline's back (or purges the queue). */
    private static void messageDeleted(Jobline jobline) {
        jobline.aws.sqsClient().purgeQueue(b -> b.queueUrl(jobline.queueUrl));
    }

    private static APIGatewayV2HTTPResponse startByAdmin(Jobline jobline, boolean admin) {
        return jobline.call("api-reconcile.json", event -> {
            if (!admin) {
                event.getRequestContext().getAuthorizer().getJwt().getClaims().remove("scope");
            }
        });
    }

    private static long count(Map<String, Object> run, String name) {
        return ((Number) run.get(name)).longValue();
    }

    @Test
    void aQueuedJobWhoseMessageWasDeletedIsSentAgainByARunAndSucceeds(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String jobId = jobline.submit("echo", "{\"n\":1}");
        messageDeleted(jobline);
        jobline.clock.advance(STALE.plusSeconds(1));
        assertEquals(0, jobline.sweep().get("resent"), "the sweeper does not see it");

        Map<String, Object> run = jobline.reconcile();

        assertEquals(1, count(run, "resent"), run.toString());
        jobline.receiveAndDeliver();
        assertEquals(JobStatus.SUCCEEDED, jobline.job(jobId).status());
    }

    @Test
    void aRunningJobWithAnExpiredLeaseAndNoMessageIsSentAgainAndTakenOver(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String jobId = jobline.submit("echo", "{}");
        // a worker claimed it and died; then its message was deleted
        long leaseEnd = jobline.clock.instant().plusSeconds(300).toEpochMilli();
        jobline.aws.dynamoClient().updateItem(b -> b.tableName(jobline.resources.tableName("JobsTable"))
                .key(Map.of("jobId", AttributeValue.fromS(jobId)))
                .updateExpression("SET #status = :running, attempts = :one, leaseOwner = :owner, leaseExpiresAt = :end")
                .expressionAttributeNames(Map.of("#status", "status"))
                .expressionAttributeValues(Map.of(":running", AttributeValue.fromS("RUNNING"), ":one", AttributeValue.fromN("1"),
                        ":owner", AttributeValue.fromS("dead/m1#1"), ":end", AttributeValue.fromN(Long.toString(leaseEnd)))));
        messageDeleted(jobline);
        // past the lease, and past the time its own message would have come back
        jobline.clock.advance(Duration.ofSeconds(300 + 60 + 61));

        Map<String, Object> run = jobline.reconcile();

        assertEquals(1, count(run, "resent"), run.toString());
        jobline.receiveAndDeliver();
        assertEquals(JobStatus.SUCCEEDED, jobline.job(jobId).status());
        assertEquals(2, jobline.job(jobId).attempts(), "the second attempt took the crashed one over");
    }

    @Test
    void finishedFreshAndSweeperHeldJobsAreNotSentAgain(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String ended = jobline.submit("echo", "{}");
        jobline.receiveAndDeliver();
        assertEquals(JobStatus.SUCCEEDED, jobline.job(ended).status());
        // due in three hours: in the sweeper's index (no queue holds it that long), the sweeper's to send
        java.time.Instant runAt = jobline.clock.instant().plus(Duration.ofHours(3)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String held = jobline.submit("{\"type\":\"echo\",\"payload\":{},\"runAt\":\"" + runAt + "\"}");
        jobline.clock.advance(STALE.plusSeconds(1));
        String fresh = jobline.submit("echo", "{}");
        messageDeleted(jobline);

        Map<String, Object> run = jobline.reconcile();

        assertEquals(0, count(run, "resent"), run.toString());
        assertEquals(0, jobline.visibleMessages(), "nothing sent: the fresh job is not stale, the far-off one is the sweeper's");
        assertEquals(JobStatus.QUEUED, jobline.job(held).status());
        assertTrue(((Number) run.get("itemsRead")).intValue() >= 3, "every item read: " + run);
        assertTrue(((Number) run.get("readUnits")).doubleValue() > 0, "dynalite reports the scan's consumed capacity: " + run);
    }

    @Test
    void aQuietTenantsLostCountIsPutRight(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        jobline.submit("echo", "{}");
        // a count write that was lost: the record says 3 more QUEUED than there are
        jobline.tenants().apply("tenant-a", new TenantStore.Delta(Map.of(JobStatus.QUEUED, 3L), 3, BigDecimal.ZERO));

        Map<String, Object> run = jobline.reconcile();

        assertEquals(1, count(run, "tenantsCorrected"), run.toString());
        TenantStore.TenantCounts counts = jobline.tenants().read(List.of("tenant-a")).get("tenant-a");
        assertEquals(1L, counts.jobs().get(JobStatus.QUEUED));
        assertEquals(1L, counts.inFlight());
    }

    @Test
    @SuppressWarnings("unchecked")
    void aTenantThatMovedDuringThePassIsNotCorrected(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        jobline.submit("echo", "{}");
        jobline.tenants().apply("tenant-a", new TenantStore.Delta(Map.of(JobStatus.QUEUED, 3L), 3, BigDecimal.ZERO));
        Map<String, Object> scanned = (Map<String, Object>) jobline.startReconciliation().get("reconcile");
        assertEquals("RUNNING", scanned.get("status"), "the scan is over, the counts wait a minute: " + scanned);
        jobline.submit("echo", "{}");   // the tenant moves before the pass has settled
        jobline.clock.advance(Duration.ofSeconds(61));

        Map<String, Object> done = (Map<String, Object>) jobline.sweep().get("reconcile");

        assertEquals("DONE", done.get("status"));
        assertEquals(0, count(done, "tenantsCorrected"));
        assertEquals(5L, jobline.tenants().read(List.of("tenant-a")).get("tenant-a").jobs().get(JobStatus.QUEUED),
                "left for a quieter pass");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theDailyRunLeavesAJobThatWaitsLessThanAnHourButAnOperatorsRunCountsEveryJobQueuedBeforeItAsLost(
            LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        String jobId = jobline.submit("echo", "{\"n\":2}");
        messageDeleted(jobline);   // the queue purged
        jobline.clock.advance(Duration.ofMinutes(20));

        Map<String, Object> daily = jobline.reconcile();

        assertEquals(0, count(daily, "resent"), "20 minutes in a queue may be a backlog: " + daily);
        jobline.clock.advance(Duration.ofSeconds(1));
        assertEquals(202, startByAdmin(jobline, true).getStatusCode());
        Map<String, Object> operators = (Map<String, Object>) jobline.sweep().get("reconcile");
        for (int sweeps = 0; sweeps < 10 && "RUNNING".equals(operators.get("status")); sweeps++) {
            jobline.clock.advance(Duration.ofSeconds(61));
            operators = (Map<String, Object>) jobline.sweep().get("reconcile");
        }
        assertEquals(1, count(operators, "resent"), "queued before the operator's run: lost, sent again: " + operators);
        jobline.receiveAndDeliver();
        assertEquals(JobStatus.SUCCEEDED, jobline.job(jobId).status());
    }

    @Test
    void anAdminStartsARunAndASecondStartWhileItRunsIs409(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);

        APIGatewayV2HTTPResponse started = startByAdmin(jobline, true);
        assertEquals(202, started.getStatusCode(), started.getBody());
        Map<String, Object> run = Json.parseObject(started.getBody());
        assertEquals("RUNNING", run.get("status"));
        assertEquals("admin", run.get("trigger"));
        assertEquals("/admin/reconcile", started.getHeaders().get("location"));

        APIGatewayV2HTTPResponse again = startByAdmin(jobline, true);
        assertEquals(409, again.getStatusCode());
        Map<String, Object> problem = Json.parseObject(again.getBody());
        assertEquals("/problems/reconcile-running", problem.get("type"));
        assertEquals(run.get("runId"), problem.get("runId"));

        APIGatewayV2HTTPResponse shown = jobline.call("api-reconcile.json", event -> {
            event.setRouteKey("GET /admin/reconcile");
            event.getRequestContext().getHttp().setMethod("GET");
        });
        assertEquals(200, shown.getStatusCode(), shown.getBody());
        assertEquals(run.get("runId"), Json.parseObject(shown.getBody()).get("runId"));
    }

    @Test
    void aTenantWithoutTheAdminScopeCannotStartARun(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);

        assertEquals(403, startByAdmin(jobline, false).getStatusCode());
    }

    @Test
    void theDailyRulesEventStartsARunThatTheSweepsFinish(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        Map<String, Object> answer = jobline.startReconciliation();
        assertTrue(answer.containsKey("started"), answer.toString());

        jobline.clock.advance(Duration.ofSeconds(61));
        @SuppressWarnings("unchecked")
        Map<String, Object> run = (Map<String, Object>) jobline.sweep().get("reconcile");

        assertEquals("DONE", run.get("status"));
        assertEquals("schedule", run.get("trigger"));
        assertEquals(answer.get("started"), run.get("runId"));
    }
}
