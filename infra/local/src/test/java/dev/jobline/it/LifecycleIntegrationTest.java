package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.jobline.job.JobStatus;
import dev.jobline.json.Json;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import dev.jobline.store.TenantStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the lifecycle's listeners keep (a tenant's quota and counts) stays right: a refused submit gives back the
 * room it took, and what a function's death between a job's write and the counts' leaves wrong is put right by the
 * next sweep (in-flight places and statuses) or by the job's own message coming back (the end's total).
 */
@ExtendWith(LocalAwsExtension.class)
class LifecycleIntegrationTest {

    private static TenantStore.TenantCounts tenantA(Jobline jobline) {
        return jobline.tenants().read(List.of("tenant-a")).get("tenant-a");
    }

    private static APIGatewayV2HTTPResponse submitWithKey(Jobline jobline, String key, String payload) {
        return jobline.call("api-submit-idempotent-job.json", event -> {
            event.getHeaders().put("idempotency-key", key);
            event.setBody("{\"type\":\"echo\",\"payload\":" + payload + "}");
        });
    }

    /** The function dies after a job's own write: its writes of counts and quota (and the old stats items) fail. */
    private static void dieAfterJobWrites(Jobline jobline) {
        jobline.faults.failWritesTo("tenant#");
        jobline.faults.failWritesTo("stats#");
    }

    @Test
    void aSubmitRefusedAsAConflictingRepeatOfItsIdempotencyKeyLeavesTheQuotaWhereItWas(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        assertEquals(202, submitWithKey(jobline, "key-1", "1").getStatusCode());
        assertEquals(1, tenantA(jobline).inFlight());

        assertEquals(200, submitWithKey(jobline, "key-1", "1").getStatusCode(), "the same request: its job");
        assertEquals(422, submitWithKey(jobline, "key-1", "2").getStatusCode(), "another request: refused");

        assertEquals(1, tenantA(jobline).inFlight(), "one job, one place: the refused submits gave back what they took");
    }

    @Test
    void aLostWriteOfCountsDoesNotKeepATenantAtItsCapPastTheNextSweep(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources, Map.of("TENANT_MAX_IN_FLIGHT", "1"));
        jobline.submit("echo", "{}");
        dieAfterJobWrites(jobline);
        jobline.receiveAndDeliver();
        jobline.faults.heal();
        assertEquals(429, jobline.call("api-submit-job.json").getStatusCode(), "the ended job's place was not given back");

        jobline.reconcile();

        assertEquals(202, jobline.call("api-submit-job.json").getStatusCode(), "the sweep gave it back");
    }

    @Test
    @SuppressWarnings("unchecked")
    void countsAFaultLeftWrongAreRightAfterTheNextSweepAndTheEndsMessage(LocalAws aws, LocalResources resources) {
        Jobline jobline = new Jobline(aws, resources);
        jobline.submit("echo", "{\"n\":1}");
        jobline.submit("echo", "{\"n\":2}");
        jobline.submit("echo", "{\"n\":3}");
        // a worker runs all three and dies before it writes their counts: its messages are not deleted either
        dieAfterJobWrites(jobline);
        var batch = jobline.receive(jobline.queueUrl, java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(1));
        while (batch.getRecords().size() < 3) {
            batch.getRecords().addAll(jobline.receive(jobline.queueUrl, java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(1)).getRecords());
        }
        jobline.worker.handleRequest(batch, new dev.jobline.local.LambdaContext("WorkerFunction", java.time.Duration.ofSeconds(60)));
        jobline.faults.heal();
        TenantStore.TenantCounts lost = tenantA(jobline);
        assertEquals(3, lost.inFlight());
        assertEquals(0L, lost.jobs().get(JobStatus.SUCCEEDED));

        jobline.reconcile();
        TenantStore.TenantCounts swept = tenantA(jobline);
        assertEquals(0, swept.inFlight(), "the sweep counted nothing in flight");
        assertEquals(0L, swept.jobs().get(JobStatus.QUEUED));
        assertEquals(0L, swept.jobs().get(JobStatus.RUNNING));
        // the messages of the dead invocation come back: each ended job's total is counted, once
        jobline.deliver(jobline.receive(java.time.Duration.ofSeconds(3)));
        while (jobline.visibleMessages() > 0) {
            jobline.receiveAndDeliver();
        }

        Map<String, Object> stats = Json.parseObject(jobline.call("api-stats.json").getBody());
        Map<String, Object> jobs = (Map<String, Object>) stats.get("jobs");
        assertEquals(3, jobs.get("SUCCEEDED"), stats.toString());
        assertEquals(0, jobs.get("RUNNING"));
        assertEquals(0, jobs.get("QUEUED"));
    }
}
