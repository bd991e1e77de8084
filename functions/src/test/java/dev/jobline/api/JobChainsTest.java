package dev.jobline.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jobline.job.Job;
import dev.jobline.job.JobError;
import dev.jobline.job.JobRegistry;
import dev.jobline.job.JobStatus;
import dev.jobline.job.JobType;
import dev.jobline.job.Refusal;
import dev.jobline.json.Json;
import dev.jobline.lifecycle.ConcurrencyKeys;
import dev.jobline.lifecycle.JobLifecycle;
import dev.jobline.store.Lease;
import dev.jobline.sweeper.SweepReport;
import dev.jobline.sweeper.Sweeper;
import dev.jobline.testing.Lifecycle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Chains on the in-memory doubles: dependent jobs wait, are released or cancelled by their parents' ends, and recovered. */
class JobChainsTest {
    private static final JobType ECHO = JobType.of("echo", context -> context.payload());
    private static final JobRegistry REGISTRY = JobRegistry.builder().register(ECHO).build();
    private static final Duration STALE = Duration.ofMinutes(15);
    private final Lifecycle doubles = new Lifecycle(100);
    private final JobService jobs = new JobService(doubles.lifecycle, doubles.store, doubles.chainQueue, doubles.chains);
    private final Sweeper sweeper = new Sweeper(doubles.lifecycle, ConcurrencyKeys.NONE, doubles.chains, doubles.store,
            doubles.chainQueue, 1, 100, STALE, Duration.ofMinutes(2));
    private int leases;

    private Job submit(String... dependsOn) {
        return submitAs("tenant-a", dependsOn);
    }

    private Job submitAs(String tenantId, String... dependsOn) {
        String parents = dependsOn.length == 0 ? "" : ",\"dependsOn\":" + Json.write(List.of(dependsOn));
        SubmitRequest request = SubmitRequest.parse("{\"type\":\"echo\",\"payload\":1" + parents + "}", REGISTRY, 1024,
                doubles.clock.instant());
        Job job = jobs.submit(tenantId, request, null).job();
        doubles.lifecycle.flush();
        return job;
    }

    private List<JobService.BatchItem> flow(String json) {
        List<Object> items;
        try {
            @SuppressWarnings("unchecked")
            List<Object> parsed = (List<Object>) Json.parse(json);
            items = parsed;
        } catch (Json.MalformedJson e) {
            throw new IllegalArgumentException(e);
        }
        try {
            return jobs.submitFlow("tenant-a", new ArrayList<>(items),
                    item -> SubmitRequest.fromFields(item, REGISTRY, 1024, doubles.clock.instant()));
        } finally {
            // as the API does at the end of every request, refused or not
            doubles.lifecycle.flush();
        }
    }

    private Job job(String jobId) {
        return doubles.store.find(jobId).orElseThrow();
    }

    /** A worker's attempt that ends the job as {@code ends} says, through {@code lifecycle}. */
    private void run(String jobId, JobStatus ends, JobLifecycle lifecycle) {
        Lease lease = new Lease("worker/" + (++leases), doubles.clock.instant().plus(Duration.ofMinutes(5)));
        Job claimed = lifecycle.claim(jobId, lease).orElseThrow().job();
        doubles.clock.advance(Duration.ofSeconds(1));
        if (ends == JobStatus.SUCCEEDED) {
            lifecycle.succeed(claimed, lease, "{\"from\":\"" + jobId + "\"}", null, null, Duration.ofSeconds(1)).orElseThrow();
        } else {
            lifecycle.fail(claimed, lease, new JobError("BROKEN", "it broke", false), null, Duration.ofSeconds(1)).orElseThrow();
        }
        lifecycle.flush();
    }

    private void run(String jobId, JobStatus ends) {
        run(jobId, ends, doubles.lifecycle);
    }

    private SweepReport sweep() {
        return sweeper.sweep(() -> Duration.ofMinutes(1));
    }

    @Test
    void aChainOfThreeIsReleasedOneStepAtATimeAsEachParentSucceeds() {
        Job crawl = submit();
        Job scan = submit(crawl.jobId());
        Job report = submit(scan.jobId());
        assertEquals(JobStatus.WAITING, scan.status());
        assertEquals(List.of(crawl.jobId()), doubles.chainQueue.sentJobIds(), "only the first job is sent");

        run(crawl.jobId(), JobStatus.SUCCEEDED);

        assertEquals(JobStatus.QUEUED, job(scan.jobId()).status());
        assertEquals(JobStatus.WAITING, job(report.jobId()).status(), "the third waits for the second");
        assertEquals(List.of(crawl.jobId(), scan.jobId()), doubles.chainQueue.sentJobIds());

        run(scan.jobId(), JobStatus.SUCCEEDED);

        assertEquals(JobStatus.QUEUED, job(report.jobId()).status());
        assertEquals(List.of("-", "WAITING>QUEUED"), doubles.recorded.of(report.jobId()).stream()
                .map(move -> move.startsWith("-") ? "-" : move).toList());
        assertEquals(List.of(crawl.jobId(), scan.jobId(), report.jobId()), doubles.chainQueue.sentJobIds());
    }

    @Test
    void aFailedMiddleJobCancelsTheTailWithDependencyFailedNamingItDownTheChain() {
        Job crawl = submit();
        Job scan = submit(crawl.jobId());
        Job report = submit(scan.jobId());
        Job mail = submit(report.jobId());
        run(crawl.jobId(), JobStatus.SUCCEEDED);

        run(scan.jobId(), JobStatus.FAILED);

        Job cancelled = job(report.jobId());
        assertEquals(JobStatus.CANCELLED, cancelled.status());
        assertEquals(JobError.DEPENDENCY_FAILED, cancelled.error().code());
        assertTrue(cancelled.error().message().contains(scan.jobId() + ", which this job depends on, ended FAILED"),
                cancelled.error().message());
        Job next = job(mail.jobId());
        assertEquals(JobStatus.CANCELLED, next.status());
        assertTrue(next.error().message().contains(report.jobId() + ", which this job depends on, ended CANCELLED"),
                next.error().message());
        assertEquals(List.of(crawl.jobId(), scan.jobId()), doubles.chainQueue.sentJobIds(), "nothing of the tail is sent");
        assertEquals(0, doubles.tenants.of("tenant-a").inFlight(), "every place is given back");
    }

    @Test
    void aFanInWaitsForBothParents() {
        Job left = submit();
        Job right = submit();
        Job both = submit(left.jobId(), right.jobId());

        run(left.jobId(), JobStatus.SUCCEEDED);

        assertEquals(JobStatus.WAITING, job(both.jobId()).status());

        run(right.jobId(), JobStatus.SUCCEEDED);

        assertEquals(JobStatus.QUEUED, job(both.jobId()).status());
        assertEquals(1, doubles.chainQueue.sentJobIds().stream().filter(both.jobId()::equals).count(), "sent once");
    }

    @Test
    void aJobWhoseParentsHaveAllSucceededIsQueuedAtOnce() {
        Job parent = submit();
        run(parent.jobId(), JobStatus.SUCCEEDED);

        Job child = submit(parent.jobId());

        assertEquals(JobStatus.QUEUED, child.status());
        assertEquals(List.of(parent.jobId()), child.dependsOn());
        assertTrue(doubles.chainQueue.sentJobIds().contains(child.jobId()));
    }

    @Test
    void anUnknownOrAnotherTenantsJobIsRefusedAndNothingIsStored() {
        Job theirs = submitAs("tenant-b");
        int stored = doubles.store.findAll(List.of(theirs.jobId())).size();

        Refusal.BadDependency unknown = assertThrows(Refusal.BadDependency.class, () -> submit("no-such-job"));
        Refusal.BadDependency foreign = assertThrows(Refusal.BadDependency.class, () -> submit(theirs.jobId()));

        assertEquals(Refusal.BadDependency.Why.UNKNOWN, unknown.why());
        assertEquals(Refusal.BadDependency.Why.UNKNOWN, foreign.why(), "another tenant's job is not found either");
        assertEquals(foreign.getMessage().replace(theirs.jobId(), "X"), unknown.getMessage().replace("no-such-job", "X"));
        assertEquals(1, stored);
        assertEquals(0, doubles.tenants.of("tenant-a").inFlight(), "no room kept for a refused job");
        assertEquals(List.of(), job(theirs.jobId()).dependents(), "another tenant's job is not touched");
    }

    @Test
    void aParentThatFailedAlreadyIsRefusedWithItsStatus() {
        Job parent = submit();
        run(parent.jobId(), JobStatus.FAILED);

        Refusal.BadDependency refused = assertThrows(Refusal.BadDependency.class, () -> submit(parent.jobId()));

        assertEquals(Refusal.BadDependency.Why.ENDED_UNSUCCESSFULLY, refused.why());
        assertEquals(422, Problems.of(refused).status());
        assertEquals(parent.jobId(), Problems.of(refused).body().get("dependency"));
    }

    @Test
    void aWaitingJobTakesItsPlaceInTheQuotaAtSubmissionAndTheCountsFollowItsMoves() {
        Job parent = submit();
        submit(parent.jobId());

        assertEquals(2, doubles.tenants.of("tenant-a").inFlight());
        assertEquals(1L, doubles.tenants.of("tenant-a").jobs().get(JobStatus.WAITING));

        run(parent.jobId(), JobStatus.SUCCEEDED);

        var counts = doubles.tenants.of("tenant-a");
        assertEquals(1, counts.inFlight(), "the released job keeps its place; the parent gave its own back");
        assertEquals(0L, counts.jobs().get(JobStatus.WAITING));
        assertEquals(1L, counts.jobs().get(JobStatus.QUEUED));
        assertEquals(1L, counts.jobs().get(JobStatus.SUCCEEDED));
    }

    @Test
    void theTenantCancelsAWaitingJobAtOnceAndWhatWaitsForItEndsToo() {
        Job parent = submit();
        Job child = submit(parent.jobId());
        Job grandchild = submit(child.jobId());

        JobService.Cancelled cancelled = jobs.cancel("tenant-a", child.jobId());
        doubles.lifecycle.flush();

        assertTrue(cancelled.immediately());
        assertEquals(JobStatus.CANCELLED, cancelled.job().status());
        assertNull(cancelled.job().error(), "cancelled by its tenant, not by a dependency");
        assertEquals(JobError.DEPENDENCY_FAILED, job(grandchild.jobId()).error().code());
        assertEquals(1, doubles.tenants.of("tenant-a").inFlight(), "only the parent is still in flight");
    }

    @Test
    void aReleaseLostWithItsInvocationIsMadeByTheSweeperWhenTheWaitingJobComesDue() {
        Job parent = submit();
        Job child = submit(parent.jobId());
        // the parent's end is written, and its invocation dies before the chains hear of it
        run(parent.jobId(), JobStatus.SUCCEEDED, doubles.unchained);
        assertEquals(JobStatus.WAITING, job(child.jobId()).status());

        SweepReport early = sweep();
        assertEquals(0, early.released(), "not due yet");

        doubles.clock.advance(STALE.plusMinutes(1));
        SweepReport report = sweep();

        assertEquals(1, report.released());
        assertEquals(JobStatus.QUEUED, job(child.jobId()).status());
        assertTrue(doubles.chainQueue.sentJobIds().contains(child.jobId()));
    }

    @Test
    void aLostCancelIsMadeByTheSweeperToo() {
        Job parent = submit();
        Job child = submit(parent.jobId());
        run(parent.jobId(), JobStatus.FAILED, doubles.unchained);

        doubles.clock.advance(STALE.plusMinutes(1));
        SweepReport report = sweep();

        assertEquals(1, report.chainCancelled());
        assertEquals(JobError.DEPENDENCY_FAILED, job(child.jobId()).error().code());
    }

    @Test
    void aWaitingJobWhoseParentsAreStillInFlightIsLookedAtAgainLaterAndLessOften() {
        Job parent = submit();
        Job child = submit(parent.jobId());
        doubles.clock.advance(STALE.plusMinutes(1));

        SweepReport first = sweep();
        SweepReport again = sweep();

        assertEquals(1, first.deferred());
        assertEquals(0, again.deferred(), "not due again at once");
        assertEquals(JobStatus.WAITING, job(child.jobId()).status());
        doubles.clock.advance(STALE.multipliedBy(2).plusMinutes(1));
        assertEquals(1, sweep().deferred(), "due again after twice the stale threshold");
    }

    // ---- batch flows

    @Test
    void aFlowIsStoredWholeAndOnlyItsFirstJobIsQueued() {
        List<JobService.BatchItem> stored = flow("""
                [{"ref":"crawl","type":"echo","payload":1},
                 {"ref":"scan","type":"echo","payload":2,"dependsOn":["ref:crawl"]},
                 {"ref":"report","type":"echo","payload":3,"dependsOn":["ref:crawl","ref:scan"]}]""");

        Job crawl = stored.get(0).job();
        Job scan = stored.get(1).job();
        Job report = stored.get(2).job();
        assertEquals(List.of(JobStatus.QUEUED, JobStatus.WAITING, JobStatus.WAITING),
                stored.stream().map(item -> item.job().status()).toList());
        assertEquals(List.of(crawl.jobId(), scan.jobId()), report.dependsOn());
        assertEquals(List.of(crawl.jobId()), doubles.chainQueue.sentJobIds());
        assertEquals(3, doubles.tenants.of("tenant-a").inFlight());

        run(crawl.jobId(), JobStatus.SUCCEEDED);
        assertEquals(JobStatus.WAITING, job(report.jobId()).status(), "the report waits for the scan too");
        run(scan.jobId(), JobStatus.SUCCEEDED);

        assertEquals(JobStatus.QUEUED, job(report.jobId()).status());
    }

    @Test
    void aCycleInAFlowIsRefusedAndNothingIsStored() {
        Problem refused = assertThrows(Problem.class, () -> flow("""
                [{"ref":"start","type":"echo"},
                 {"ref":"a","type":"echo","dependsOn":["ref:start","ref:b"]},
                 {"ref":"b","type":"echo","dependsOn":["ref:a"]}]"""));

        assertEquals(422, refused.status());
        assertEquals("/problems/dependency-cycle", refused.body().get("type"));
        assertEquals(List.of("a", "b"), refused.body().get("items"));
        assertEquals(0, doubles.tenants.of("tenant-a").inFlight());
        assertEquals(List.of(), doubles.store.writes, "nothing written");
    }

    @Test
    void anInvalidItemSinksTheWholeFlowNamingIt() {
        Problem refused = assertThrows(Problem.class, () -> flow("""
                [{"ref":"a","type":"echo"},
                 {"ref":"b","type":"no-such-type","dependsOn":["ref:a"]}]"""));
        Problem unknownRef = assertThrows(Problem.class, () -> flow("""
                [{"ref":"a","type":"echo"},{"type":"echo","dependsOn":["ref:nope"]}]"""));

        assertEquals(1, refused.body().get("index"));
        assertEquals("/problems/unknown-job-type", refused.body().get("type"));
        assertEquals("/problems/unknown-ref", unknownRef.body().get("type"));
        assertEquals(List.of(), doubles.store.writes, "nothing written");
    }

    @Test
    void aFlowLeftHalfWrittenByADeadSubmissionIsCancelledByTheSweeperNothingOfItRuns() {
        Job root = doubles.newJob("root", ECHO).withDependencies(List.of(), List.of("child"), true, true);
        Job child = doubles.newJob("child", ECHO).withDependencies(List.of("root"), List.of(), true, false);
        Job orphan = doubles.newJob("orphan", ECHO).withDependencies(List.of("never-written"), List.of(), true, false);
        // written (dependents first), then the submission died before it released the flow's first job
        doubles.lifecycle.createFlow("tenant-a", List.of(child, orphan, root), null);
        doubles.lifecycle.flush();

        doubles.clock.advance(STALE.plusMinutes(1));
        SweepReport report = sweep();

        assertEquals(JobStatus.CANCELLED, job("root").status());
        assertTrue(job("root").error().message().contains("batch flow was not stored whole"), job("root").error().message());
        assertEquals(JobStatus.CANCELLED, job("child").status(), "cancelled with its parent");
        assertEquals(JobStatus.CANCELLED, job("orphan").status());
        assertTrue(job("orphan").error().message().contains("never-written"), job("orphan").error().message());
        assertTrue(report.chainCancelled() >= 2);
        assertEquals(List.of(), doubles.chainQueue.sentJobIds(), "nothing of it is sent");
        assertEquals(0, doubles.tenants.of("tenant-a").inFlight());
    }

    @Test
    void aParentsEndDoesNotReleaseAFlowsFirstJobBeforeItsSubmissionDoes() {
        Job outside = submit();
        Job pending = doubles.newJob("pending", ECHO).withDependencies(List.of(outside.jobId()), List.of(), true, true);
        doubles.chains.nameOn(outside.jobId(), pending);
        doubles.lifecycle.createFlow("tenant-a", List.of(pending), null);

        run(outside.jobId(), JobStatus.SUCCEEDED);

        assertEquals(JobStatus.WAITING, job("pending").status(), "only its flow's submission releases it");
        assertTrue(!doubles.chainQueue.sentJobIds().contains("pending"));
    }

    @Test
    void aFlowsFirstJobThatWaitsForAJobOutsideItIsReleasedByThatJobsEnd() {
        Job outside = submit();

        List<JobService.BatchItem> stored = flow("[{\"ref\":\"a\",\"type\":\"echo\",\"dependsOn\":[\"" + outside.jobId() + "\"]},"
                + "{\"ref\":\"b\",\"type\":\"echo\",\"dependsOn\":[\"ref:a\"]}]");

        Job first = stored.get(0).job();
        assertEquals(JobStatus.WAITING, first.status());
        assertNull(first.waitingFor(), "the flow is stored whole: from now on its parent's end releases it");
        run(outside.jobId(), JobStatus.SUCCEEDED);
        assertEquals(JobStatus.QUEUED, job(first.jobId()).status());
        assertEquals(JobStatus.WAITING, job(stored.get(1).job().jobId()).status());
    }

    @Test
    void aFlowWhoseKeyIsHeldIsRefusedWithTheItemAndWhatWasWrittenEndsWithoutRunning() {
        Problem refused = assertThrows(Problem.class, () -> flow("""
                [{"ref":"a","type":"echo","concurrencyKey":"site-1"},
                 {"ref":"b","type":"echo","concurrencyKey":"site-1","dependsOn":["ref:a"]}]"""));

        assertEquals(409, refused.status());
        assertEquals(0, refused.body().get("index"), "b, a's dependent, was written first and took the key: a's is held");
        List<Job> written = doubles.store.listAcross(List.of("tenant-a"), dev.jobline.store.JobFilter.ALL, 10, null).jobs();
        assertEquals(1, written.size());
        assertEquals(JobStatus.CANCELLED, written.get(0).status());
        assertEquals(JobError.FLOW_NOT_STORED, written.get(0).error().code());
        assertEquals(0, doubles.tenants.of("tenant-a").inFlight(), "every place given back");
        assertEquals(List.of(), doubles.chainQueue.sentJobIds(), "nothing of it runs");
        assertNull(doubles.keyStore.holder("tenant-a", "site-1"), "the key is free again");
    }
}
