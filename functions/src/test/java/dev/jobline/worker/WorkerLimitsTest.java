package dev.jobline.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jobline.cost.CostModel;
import dev.jobline.job.Job;
import dev.jobline.job.JobRegistry;
import dev.jobline.job.JobStatus;
import dev.jobline.job.JobType;
import dev.jobline.lambda.Deadline;
import dev.jobline.queue.ReceivedMessage;
import dev.jobline.store.Lease;
import dev.jobline.testing.InMemoryQueue;
import dev.jobline.testing.Lifecycle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Running limits at the worker: held before a claim, given back by the attempt's end; a full one makes a job wait. */
class WorkerLimitsTest {
    private final AtomicInteger live = new AtomicInteger();
    private final AtomicInteger mostLive = new AtomicInteger();
    /** At most one at once, every tenant together; records how many ran at once. */
    private final JobType single = JobType.of("single", context -> {
        mostLive.accumulateAndGet(live.incrementAndGet(), Math::max);
        Thread.sleep(30);
        live.decrementAndGet();
        return null;
    }).withMaxConcurrent(1, 0);
    private final JobType plain = JobType.of("plain", context -> {
        mostLive.accumulateAndGet(live.incrementAndGet(), Math::max);
        Thread.sleep(30);
        live.decrementAndGet();
        return null;
    });
    private final JobRegistry registry = JobRegistry.builder().register(single).register(plain).build();
    private final InMemoryQueue queue = new InMemoryQueue();

    private Worker worker(Lifecycle doubles, int parallelism) {
        return new Worker(doubles.lifecycle, doubles.limits, doubles.store, queue, registry,
                WorkerSettings.forLease(Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ZERO, parallelism, 1024), new Random(3));
    }

    private static Job create(Lifecycle doubles, String jobId, String tenantId, JobType type) {
        Job job = Job.submitted(jobId, tenantId, type, "{}", type.maxAttempts(), 30, doubles.clock.instant());
        Job created = doubles.lifecycle.create(job, CostModel.submit(1)).orElseThrow();
        doubles.lifecycle.flush();
        return created;
    }

    /** Another worker runs the job under {@code owner}: it holds the job's limits and its lease, as a worker would. */
    private static void runningElsewhere(Lifecycle doubles, Job job, String owner, Duration lease) {
        Lease held = new Lease(owner, doubles.clock.instant().plus(lease));
        assertTrue(doubles.limits.hold(owner, job.tenantId(), job.type(), held.expiresAt(), doubles.clock.instant()).isEmpty());
        doubles.lifecycle.claim(job.jobId(), held).orElseThrow();
    }

    @Test
    void aJobThatFindsItsTypesLimitFullWaitsQueuedWithoutSpendingAnAttempt() {
        Lifecycle doubles = new Lifecycle(100, registry, 0);
        runningElsewhere(doubles, create(doubles, "job-1", "tenant-a", single), "other/m1#1", Duration.ofSeconds(60));
        create(doubles, "job-2", "tenant-a", single);

        List<String> redeliver = worker(doubles, 1).process(List.of(InMemoryQueue.received("job-2", "m2", "tenant-a", "single")),
                "inv", Deadline.none());

        assertEquals(List.of("m2"), redeliver, "its message goes back to the queue");
        Job waiting = doubles.store.find("job-2").orElseThrow();
        assertEquals(JobStatus.QUEUED, waiting.status());
        assertEquals(0, waiting.attempts(), "no attempt spent");
        assertEquals("type limit", waiting.waitingFor());
        assertEquals(1, queue.hidden.size());
        Duration delay = queue.hidden.get(0);
        assertTrue(delay.compareTo(Duration.ofMillis(500)) >= 0 && delay.compareTo(Duration.ofSeconds(2)) <= 0,
                "a short jittered delay on the first wait: " + delay);
        assertEquals(List.of("->QUEUED"), doubles.recorded.of("job-2"), "waiting is not a move");
    }

    @Test
    void whenTheRunningJobEndsItsPlaceGoesToTheWaitingOne() {
        Lifecycle doubles = new Lifecycle(100, registry, 0);
        Job first = create(doubles, "job-1", "tenant-a", single);
        Lease lease = new Lease("other/m1#1", doubles.clock.instant().plusSeconds(60));
        runningElsewhere(doubles, first, lease.owner(), Duration.ofSeconds(60));
        create(doubles, "job-2", "tenant-a", single);
        Worker worker = worker(doubles, 1);
        worker.process(List.of(InMemoryQueue.received("job-2", "m2", "tenant-a", "single")), "inv", Deadline.none());

        doubles.lifecycle.succeed(doubles.store.find("job-1").orElseThrow(), lease, "{}", null, null, Duration.ZERO).orElseThrow();
        List<String> redeliver = worker.process(List.of(InMemoryQueue.received("job-2", "m2", 2)), "inv2", Deadline.none());

        assertEquals(List.of(), redeliver);
        Job done = doubles.store.find("job-2").orElseThrow();
        assertEquals(JobStatus.SUCCEEDED, done.status());
        assertEquals(1, done.attempts());
        assertNull(done.waitingFor(), "the claim cleared why it waited");
        assertEquals(0, doubles.limitStore.held("limit#type#single"), "both ends gave their holds back");
    }

    @Test
    void aJobThatKeepsWaitingGetsAFreshMessageBeforeRedriveCouldTakeIt() {
        Lifecycle doubles = new Lifecycle(100, registry, 0);
        runningElsewhere(doubles, create(doubles, "job-1", "tenant-a", single), "other/m1#1", Duration.ofSeconds(60));
        create(doubles, "job-2", "tenant-a", single);

        List<String> redeliver = worker(doubles, 1).process(
                List.of(InMemoryQueue.received("job-2", "m2", Worker.WAITS_BEFORE_FRESH_MESSAGE)), "inv", Deadline.none());

        assertEquals(List.of(), redeliver, "the old message is done with...");
        assertEquals(List.of("job-2"), queue.sentJobIds(), "...a fresh one, whose receive count starts again, carries the job");
        assertTrue(queue.sent.get(0).delay().compareTo(Duration.ofSeconds(20)) <= 0);
        assertEquals(0, doubles.store.find("job-2").orElseThrow().attempts());
    }

    @Test
    void aCrashedAttemptsHoldRunsOutWithItsLease() {
        Lifecycle doubles = new Lifecycle(100, registry, 0);
        runningElsewhere(doubles, create(doubles, "job-1", "tenant-a", single), "crashed/m1#1", Duration.ofSeconds(60));
        create(doubles, "job-2", "tenant-a", single);
        doubles.clock.advance(Duration.ofSeconds(61));

        List<String> redeliver = worker(doubles, 1).process(List.of(InMemoryQueue.received("job-2", "m2", "tenant-a", "single")),
                "inv", Deadline.none());

        assertEquals(List.of(), redeliver);
        assertEquals(JobStatus.SUCCEEDED, doubles.store.find("job-2").orElseThrow().status());
    }

    @Test
    void theTenantCapHoldsOneTenantBackAndNotAnother() {
        Lifecycle doubles = new Lifecycle(100, registry, 1);
        runningElsewhere(doubles, create(doubles, "a-1", "tenant-a", plain), "other/m1#1", Duration.ofSeconds(60));
        create(doubles, "a-2", "tenant-a", plain);
        create(doubles, "b-1", "tenant-b", plain);

        List<String> redeliver = worker(doubles, 2).process(List.of(InMemoryQueue.received("a-2", "m2", "tenant-a", "plain"),
                InMemoryQueue.received("b-1", "m3", "tenant-b", "plain")), "inv", Deadline.none());

        assertEquals(List.of("m2"), redeliver);
        assertEquals("tenant limit", doubles.store.find("a-2").orElseThrow().waitingFor());
        assertEquals(JobStatus.SUCCEEDED, doubles.store.find("b-1").orElseThrow().status());
    }

    @Test
    void aClaimThatLandsAfterItsLeaseRanOutIsGivenBackUnstartedWithItsAttemptAndItsHolds() {
        Lifecycle doubles = new Lifecycle(100, registry, 0);
        Job job = create(doubles, "job-1", "tenant-a", single);
        // the store answers the claim a whole lease after the receive: the holds taken with it have run out by then
        doubles.store.beforeClaim = () -> doubles.clock.advance(Duration.ofSeconds(60));

        List<String> redeliver = worker(doubles, 1).process(List.of(InMemoryQueue.received("job-1", "m1", "tenant-a", "single")),
                "inv", Deadline.none());

        assertEquals(List.of("m1"), redeliver, "its message comes back");
        assertEquals(0, mostLive.get(), "the handler did not start");
        Job back = doubles.store.find(job.jobId()).orElseThrow();
        assertEquals(JobStatus.QUEUED, back.status());
        assertEquals(0, back.attempts(), "the attempt is not counted");
        assertNull(back.startedAt(), "it never started");
        assertNull(back.leaseOwner());
        assertEquals(List.of("->QUEUED", "QUEUED>RUNNING", "RUNNING>QUEUED"), doubles.recorded.of("job-1"));
        assertEquals(0, doubles.limitStore.held("limit#type#single"), "its place went back");

        doubles.store.beforeClaim = () -> { };
        worker(doubles, 1).process(List.of(InMemoryQueue.received("job-1", "m1", "tenant-a", "single")), "inv-2", Deadline.none());
        Job done = doubles.store.find(job.jobId()).orElseThrow();
        assertEquals(JobStatus.SUCCEEDED, done.status(), "the next receive runs it");
        assertEquals(1, done.attempts());
    }

    @Test
    void aMessageWhoseClaimLosesGivesItsHoldsBack() {
        Lifecycle doubles = new Lifecycle(100, registry, 0);
        Job job = create(doubles, "job-1", "tenant-a", single);
        Worker worker = worker(doubles, 1);
        worker.process(List.of(InMemoryQueue.received("job-1", "m1", "tenant-a", "single")), "inv", Deadline.none());

        // a duplicate of the ended job's message
        List<String> redeliver = worker.process(List.of(InMemoryQueue.received("job-1", "copy", "tenant-a", "single")), "inv2",
                Deadline.none());

        assertEquals(List.of(), redeliver);
        assertEquals(0, doubles.limitStore.held("limit#type#single"));
        assertEquals(1, doubles.store.find(job.jobId()).orElseThrow().attempts());
    }

    @Test
    void aBatchOfParallelRecordsNeverRunsMoreThanTheLimitAndEveryJobRunsOnce() {
        Lifecycle doubles = new Lifecycle(100, registry, 0);
        Worker worker = worker(doubles, 8);
        List<ReceivedMessage> pending = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            create(doubles, "job-" + i, "tenant-a", single);
            pending.add(InMemoryQueue.received("job-" + i, "m" + i, "tenant-a", "single"));
        }

        for (int round = 0; round < 20 && !pending.isEmpty(); round++) {
            List<String> redeliver = worker.process(pending, "inv-" + round, Deadline.none());
            List<ReceivedMessage> again = new ArrayList<>();
            for (ReceivedMessage message : pending) {
                if (redeliver.contains(message.messageId())) {
                    again.add(InMemoryQueue.received(message.body().replaceAll(".*\"(job-\\d+)\".*", "$1"), message.messageId(),
                            message.receiveCount() + 1));
                }
            }
            pending = again;
        }

        assertEquals(List.of(), pending, "every job ran");
        assertEquals(1, mostLive.get(), "never two at once");
        assertEquals(1, doubles.limitStore.mostHeld("limit#type#single"));
        for (int i = 0; i < 8; i++) {
            assertEquals(1, doubles.store.find("job-" + i).orElseThrow().attempts(), "waiting spent no attempt");
        }
    }

    @Test
    void aBatchHoldsItsTenantsPlacesInOneWriteAndGivesThemBackInOneWhenItIsDone() {
        Lifecycle doubles = new Lifecycle(100, registry, 20);
        List<ReceivedMessage> batch = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
            create(doubles, "job-" + k, "tenant-a", plain);
            batch.add(InMemoryQueue.received("job-" + k, "m" + k, "tenant-a", "plain"));
        }

        assertEquals(List.of(), worker(doubles, 10).process(batch, "inv", Deadline.none()));

        assertEquals(java.util.Map.of("holdMany", 1, "releaseMany", 1), doubles.limitStore.writes,
                "two writes for ten records, not twenty");
        assertEquals(10, doubles.limitStore.mostHeld("limit#tenant#8:tenant-a"));
        assertEquals(0, doubles.limitStore.held("limit#tenant#8:tenant-a"), "every place back");
        for (int k = 0; k < 10; k++) {
            assertEquals(JobStatus.SUCCEEDED, doubles.store.find("job-" + k).orElseThrow().status());
        }
    }

    @Test
    void aBatchLargerThanTheRoomLeftIsHeldRecordByRecordAndTheCapHolds() {
        Lifecycle doubles = new Lifecycle(100, registry, 3);
        List<ReceivedMessage> batch = new ArrayList<>();
        for (int k = 0; k < 6; k++) {
            create(doubles, "job-" + k, "tenant-a", plain);
            batch.add(InMemoryQueue.received("job-" + k, "m" + k, "tenant-a", "plain"));
        }

        List<String> redeliver = worker(doubles, 6).process(batch, "inv", Deadline.none());

        assertEquals(3, doubles.limitStore.mostHeld("limit#tenant#8:tenant-a"));
        assertTrue(mostLive.get() <= 3, "at most three ran at once: " + mostLive.get());
        // those that found the cap full wait for it (how many depends on how soon the first ones end and give back)
        assertTrue(!redeliver.isEmpty() && redeliver.size() <= 3, "waiting: " + redeliver);
    }

    @Test
    void anAttemptsLeaseEndsNoLaterThanTheBatchHoldItRunsUnderThoughItStartsLater() {
        Lifecycle doubles = new Lifecycle(100, registry, 20);
        java.util.Map<String, java.time.Instant> leases = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.Map<String, java.time.Instant> holds = new java.util.concurrent.ConcurrentHashMap<>();
        JobType slow = JobType.of("slow", context -> {
            leases.put(context.jobId(), doubles.store.find(context.jobId()).orElseThrow().leaseExpiresAt());
            holds.put(context.jobId(), doubles.limitStore.heldUntil("limit#tenant#8:tenant-a", "inv"));
            // the next record starts 5 s into the invocation (one at a time here)
            doubles.clock.advance(Duration.ofSeconds(5));
            return null;
        });
        Worker sequential = new Worker(doubles.lifecycle, doubles.limits, doubles.store, queue,
                JobRegistry.builder().register(slow).build(),
                WorkerSettings.forLease(Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ZERO, 1, 1024), new Random(3));
        create(doubles, "job-1", "tenant-a", slow);
        create(doubles, "job-2", "tenant-a", slow);

        sequential.process(List.of(InMemoryQueue.received("job-1", "m1", "tenant-a", "slow"),
                InMemoryQueue.received("job-2", "m2", "tenant-a", "slow")), "inv", Deadline.none());

        assertEquals(2, leases.size());
        leases.forEach((jobId, lease) -> assertTrue(!lease.isAfter(holds.get(jobId)),
                jobId + "'s lease ends at " + lease + ", after the places it runs under (" + holds.get(jobId) + ")"));
    }
}
