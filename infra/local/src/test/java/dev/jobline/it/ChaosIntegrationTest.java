package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.jobline.job.Job;
import dev.jobline.job.JobError;
import dev.jobline.job.JobStatus;
import dev.jobline.job.JobType;
import dev.jobline.job.RetryPolicy;
import dev.jobline.json.Json;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import dev.jobline.log.Log;
import dev.jobline.queue.JobMessage;
import dev.jobline.store.JobStore;
import dev.jobline.store.Lease;
import dev.jobline.worker.WorkerHandler;
import java.io.BufferedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/**
 * Chaos: workers crash after claiming, payloads are poison, messages arrive twice. Every job must
 * still end, each succeeded job's side effect must have happened exactly once, and poison jobs
 * must fail with a reason. Two tenants share a type limited to {@link #TYPE_CAP} running at once and a
 * per-tenant cap of {@link #TENANT_CAP}: neither is exceeded at any moment, and waiting spends no attempt. While it
 * drains, keyed jobs keep being submitted for a few keys: no two jobs holding one key are ever active at once, and
 * every key is given back in the end. A crashed attempt's job must come back through its own message, never
 * through the sweeper: as in Lambda, a claim comes some time after its receive (the batching window,
 * the records before it), sometimes later than the lease and visibility leave room for. 500 jobs here;
 * {@code -Djobline.chaos.jobs=10000} for the full run ({@code -Djobline.chaos.pollers}, 4 unless set,
 * is how many pollers drain the queue at once).
 *
 * <p>And the faults issue 17's design answers: the API dies between a submission's send and its write (the client
 * submits again with its Idempotency-Key, or gives up: its message names a job that never exists, which the workers
 * drop); a batch of messages is deleted from the queue behind Jobline's back (the daily reconciliation sends their
 * jobs again); the queue is purged (an operator's POST /admin/reconcile does).
 */
@ExtendWith(LocalAwsExtension.class)
class ChaosIntegrationTest {
    private static final double CRASH_RATE = 0.20;
    private static final double POISON_RATE = 0.05;
    private static final double DUPLICATE_RATE = 0.05;
    private static final long SEED = 20261124;
    /** Job ids looked up per sweep interval to see which have ended: a bounded read, whatever the run's size. */
    private static final int CHECKS_PER_ROUND = 1_000;
    /** The workers' lease and the messages' visibility: a crashed attempt's message returns 2 s after its lease ends. */
    private static final Duration LEASE = Duration.ofSeconds(2);
    private static final Duration VISIBILITY = Duration.ofSeconds(4);
    /** How long after its receive a crashing worker's claim comes: up to 3 s, so a third come later than V - L allows. */
    private static final long MAX_CLAIM_DELAY_MILLIS = 3_000;
    /**
     * The ledger type's running limit (every tenant together) and each tenant's running cap, below the pollers' 40
     * records at once. A crashed attempt holds its place until its lease ends, some 35 times as long as an attempt
     * that runs: at this crash rate, crashed attempts hold most of the places the limits give.
     */
    private static final int TYPE_CAP = 24;
    private static final int TENANT_CAP = 16;
    private static final List<String> TENANTS = List.of("tenant-a", "tenant-b");
    /** The concurrency keys keyed jobs are submitted with, and how long a handler runs (so overlaps would show). */
    private static final int KEYS = 10;
    private static final long WORK_MILLIS = 20;

    /**
     * Attempts running their handler now, every tenant together and per tenant; and the most that held a place at
     * once: those, with the crashed attempts whose lease (and so whose hold on the limits) has not ended yet.
     */
    private final AtomicInteger live = new AtomicInteger();
    private final AtomicInteger mostHeld = new AtomicInteger();
    private final Map<String, AtomicInteger> liveByTenant = new ConcurrentHashMap<>();
    private final Map<String, Integer> mostHeldByTenant = new ConcurrentHashMap<>();
    /** The crashed attempts' holds: tenant, and until when. */
    private final Queue<Map.Entry<String, Instant>> crashHolds = new ConcurrentLinkedQueue<>();

    /** Crashed attempts (of one tenant, or every tenant for null) still holding their place at {@code now}. */
    private int crashHoldsAt(String tenant, Instant now) {
        int held = 0;
        for (Map.Entry<String, Instant> hold : crashHolds) {
            if ((tenant == null || tenant.equals(hold.getKey())) && !hold.getValue().isBefore(now)) {
                held++;
            }
        }
        return held;
    }

    /** When each job's attempts started (handler entry), by job id and attempt; and when crashed attempts died. */
    private final Map<String, Map<Integer, Instant>> attemptStarts = new ConcurrentHashMap<>();
    private final Map<String, Map<Integer, Instant>> crashes = new ConcurrentHashMap<>();

    /** The side effects, by job id: how many times each job's work was applied. */
    private final Map<String, Integer> ledger = new ConcurrentHashMap<>();

    private JobType ledgerType() {
        return JobType.of("ledger", context -> {
            attemptStarts.computeIfAbsent(context.jobId(), id -> new ConcurrentHashMap<>()).put(context.attempt(), Instant.now());
            AtomicInteger tenantLive = liveByTenant.computeIfAbsent(context.tenantId(), tenant -> new AtomicInteger());
            int running = live.incrementAndGet();
            int tenantRunning = tenantLive.incrementAndGet();
            // the store frees a crashed attempt's hold only once its lease ended: until then it counts against the caps
            Instant now = Instant.now();
            mostHeld.accumulateAndGet(running + crashHoldsAt(null, now), Math::max);
            mostHeldByTenant.merge(context.tenantId(), tenantRunning + crashHoldsAt(context.tenantId(), now), Math::max);
            try {
                Thread.sleep(WORK_MILLIS);
                if (context.payload() instanceof Map<?, ?> payload && Boolean.TRUE.equals(payload.get("poison"))) {
                    throw new IllegalStateException("poison payload: cannot be processed");
                }
                ledger.merge(context.jobId(), 1, Integer::sum);
                return "applied";
            } finally {
                tenantLive.decrementAndGet();
                live.decrementAndGet();
            }
        }).withMaxAttempts(6).withTimeout(Duration.ofSeconds(5))
                .withRetryPolicy(new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(2)))
                .withMaxConcurrent(TYPE_CAP, 0);
    }

    @Test
    void everyJobEndsAndEverySucceededJobsEffectHappensExactlyOnce(LocalAws aws, LocalResources resources) throws Exception {
        int jobs = Integer.getInteger("jobline.chaos.jobs", 500);
        int pollers = Integer.getInteger("jobline.chaos.pollers", 4);
        Random random = new Random(SEED);
        Jobline jobline = new Jobline(aws, resources, Map.of(
                "LEASE_SECONDS", Long.toString(LEASE.toSeconds()),
                "VISIBILITY_SECONDS", Long.toString(VISIBILITY.toSeconds()),
                "QUEUED_STALE_SECONDS", "10",
                "RECONCILE_STALE_SECONDS", "10",
                "TENANT_MAX_IN_FLIGHT", "1000000",
                "TENANT_MAX_RUNNING", Integer.toString(TENANT_CAP),
                "TENANT_SUBMITS_PER_MINUTE", "1000000"), List.of(ledgerType()));

        Instant submitting = Instant.now();
        Set<String> poison = ConcurrentHashMap.newKeySet();
        List<String> ids = new ArrayList<>();
        for (int from = 0; from < jobs; from += 100) {
            String tenant = TENANTS.get(from / 100 % TENANTS.size());
            StringBuilder batch = new StringBuilder("{\"jobs\":[");
            List<Boolean> poisoned = new ArrayList<>();
            for (int i = from; i < Math.min(jobs, from + 100); i++) {
                boolean isPoison = random.nextDouble() < POISON_RATE;
                poisoned.add(isPoison);
                batch.append(i == from ? "" : ",").append("{\"type\":\"ledger\",\"payload\":{\"n\":").append(i)
                        .append(",\"poison\":").append(isPoison).append("}}");
            }
            Map<String, Object> answer = Json.parseObject(jobline.call("api-submit-batch.json", e -> {
                e.setBody(batch.append("]}").toString());
                e.getRequestContext().getAuthorizer().getJwt().getClaims().put("sub", tenant);
            }).getBody());
            List<?> items = (List<?>) answer.get("jobs");
            for (int k = 0; k < items.size(); k++) {
                String id = (String) ((Map<?, ?>) items.get(k)).get("jobId");
                ids.add(id);
                if (poisoned.get(k)) {
                    poison.add(id);
                }
                if (random.nextDouble() < DUPLICATE_RATE) {
                    aws.sqsClient().sendMessage(b -> b.queueUrl(jobline.queueUrl)
                            .messageBody(new JobMessage(id, tenant, "ledger", null).body()));
                }
            }
        }
        assertEquals(jobs, ids.size());
        DyingSubmits dying = dyingSubmits(jobline, Math.max(6, jobs / 100));
        ids.addAll(dying.retried);

        // the event source's pollers run while the main thread plays the schedule: a sweep every 2 s
        Instant started = Instant.now();
        Instant giveUp = started.plus(Duration.ofMinutes(Math.max(7, jobs / 200 + 4)));
        QueueFaults queueFaults = new QueueFaults(jobline, jobs);
        Drain drain = new Drain(jobline, pollers, SEED, crashes, crashHolds);
        Map<String, Integer> sweeperTakeovers = new HashMap<>();
        Set<String> pending = new LinkedHashSet<>(ids);
        KeyedSubmitter keyed = new KeyedSubmitter(jobline, Math.max(50, jobs / 10), new Random(SEED - 1));
        Path functionLog = Path.of("target", "chaos-functions.log");
        try (PrintStream functionLines = new PrintStream(new BufferedOutputStream(Files.newOutputStream(functionLog)), false,
                StandardCharsets.UTF_8)) {
            // 10,000 jobs write some 10 MB of log lines: to a file, not through surefire's capture of stdout
            Log.redirect(functionLines);
            drain.start();
            keyed.start();
            Instant nextReport = started.plusSeconds(30);
            while ((!pending.isEmpty() || keyed.isAlive() || !keyed.accepted.isEmpty() || !queueFaults.recovered()
                    || messagesLeft(jobline) > 0) && Instant.now().isBefore(giveUp)) {
                Thread.sleep(2_000);
                for (String id : queueFaults.play()) {
                    pending.add(id);
                    ids.add(id);
                }
                for (String id = keyed.accepted.poll(); id != null; id = keyed.accepted.poll()) {
                    pending.add(id);
                    ids.add(id);
                }
                Map<String, Object> sweep = jobline.sweep();
                sweeperTakeovers.merge("requeued", ((Number) sweep.get("requeued")).intValue(), Integer::sum);
                sweeperTakeovers.merge("failed", ((Number) sweep.get("failed")).intValue(), Integer::sum);
                forgetEnded(jobline, pending, CHECKS_PER_ROUND);
                if (Instant.now().isAfter(nextReport)) {
                    System.out.printf("chaos: after %d s, %d of %d jobs not seen ended; %s%n",
                            Duration.between(started, Instant.now()).toSeconds(), pending.size(), jobs, drain);
                    nextReport = Instant.now().plusSeconds(30);
                }
            }
            drain.stop();
        } finally {
            keyed.interrupt();
            keyed.join();
            drain.stop();
            Log.redirect(System.out);
        }
        for (String id = keyed.accepted.poll(); id != null; id = keyed.accepted.poll()) {
            ids.add(id);
        }
        Map<JobStatus, Integer> counts = countByStatus(jobline);
        System.out.printf("chaos: %d jobs, %d poison, %d crashes after claim, %d deliveries, statuses %s;"
                        + " submitted in %d s, drained by %d pollers in %d s; function logs in %s%n",
                jobs, poison.size(), drain.crashes.get(), drain.deliveries.get(), counts,
                Duration.between(submitting, started).toSeconds(), pollers,
                Duration.between(started, Instant.now()).toSeconds(), functionLog.toAbsolutePath());
        List<Long> recoveries = recoveryMillis();
        System.out.printf("chaos: %d crashed attempts taken up again; recovery (crash to the next attempt's start) p50 %d ms,"
                        + " p95 %d ms, p99 %d ms, max %d ms; the sweeper took over %s%n",
                recoveries.size(), percentile(recoveries, 50), percentile(recoveries, 95), percentile(recoveries, 99),
                percentile(recoveries, 100), sweeperTakeovers);
        long waits;
        try (var lines = Files.lines(functionLog)) {
            waits = lines.filter(line -> line.contains("\"job.waiting\"")).count();
        }
        System.out.printf("chaos: limits: most holding a place at once (running, or crashed with a live lease) %d (type cap"
                        + " %d), per tenant %s (cap %d); %d waits for a full limit; keyed: %d submitted, %d accepted, %d refused as"
                        + " held%n", mostHeld.get(), TYPE_CAP, mostHeldByTenant,
                TENANT_CAP, waits, keyed.submitted.get(), keyed.keyedIds.size(), keyed.refused.get());
        System.out.printf("chaos: faults of issue 17: %d submissions died between send and write (%d submitted again with"
                        + " their key, %d given up); %d messages deleted behind Jobline's back, then %s; queue purged (%d"
                        + " messages), then %s; %d messages left in the queue%n",
                dying.retried.size() + dying.abandoned, dying.retried.size(), dying.abandoned, queueFaults.deleted.size(),
                QueueFaults.said(queueFaults.scheduled), queueFaults.purged, QueueFaults.said(queueFaults.admin), messagesLeft(jobline));
        drain.failures.stream().findFirst().ifPresent(first -> System.out.printf(
                "chaos: %d poller rounds failed and left their messages to come back; the first: %s%n",
                drain.failures.size(), first));

        int succeeded = 0;
        for (String id : ids) {
            Job job = jobline.job(id);
            assertTrue(job.status().isTerminal(), "job " + id + " did not end: " + job.status());
            if (poison.contains(id)) {
                assertEquals(JobStatus.FAILED, job.status(), "poison job " + id);
                assertEquals(JobError.ATTEMPTS_EXHAUSTED, job.error().code());
                // the reason is its last attempt's: the poison, or a crash that happened to hit that attempt
                assertTrue(job.error().message().contains("poison payload") || job.error().message().contains(JobError.LEASE_EXPIRED),
                        job.error().message());
                assertEquals(null, ledger.get(id), "a poison job applied no effect");
            } else if (job.status() == JobStatus.SUCCEEDED) {
                succeeded++;
                assertEquals(1, ledger.get(id), "job " + id + "'s effect was applied " + ledger.get(id) + " times");
                // one attempt that succeeded, one per crash before it: waiting for a full limit spent none
                assertEquals(1 + crashes.getOrDefault(id, Map.of()).size(), job.attempts(), "job " + id + "'s attempts");
            } else {
                // six crashes in a row: possible, rare, and then it says why
                assertEquals(JobStatus.FAILED, job.status());
                assertTrue(job.error().message().contains(JobError.LEASE_EXPIRED), job.error().toString());
            }
        }
        assertTrue(drain.crashes.get() > 0, "the run crashed some workers");
        // the dead submissions: the ones submitted again ran once (above); the given-up ones never became jobs, and
        // their messages were dropped
        assertEquals(ids.size(), counts.values().stream().mapToInt(Integer::intValue).sum(),
                "no job but the accepted ones: " + counts);
        assertEquals(0, messagesLeft(jobline), "every message was consumed or dropped");
        assertTrue(queueFaults.deleted.size() > 0 && queueFaults.purged > 0, "both queue faults happened");
        assertTrue(queueFaults.recovered(), "both reconciliations ran to their end");
        assertTrue(queueFaults.scheduled.resent() > 0, "the daily run sent the deleted messages' jobs again");
        assertTrue(queueFaults.admin.resent() > 0, "the operator's run sent the purged queue's jobs again");
        assertTrue(mostHeld.get() <= TYPE_CAP, "at most " + TYPE_CAP + " held a place at once, not " + mostHeld.get());
        mostHeldByTenant.forEach((tenant, most) -> assertTrue(most <= TENANT_CAP, tenant + " held " + most + " places at once"));
        assertTrue(waits > 0, "the limits made some job wait");
        assertKeysNeverSharedAndAllGivenBack(jobline, keyed);
        assertNoHoldOutlivesItsAttempt(jobline);
        assertEquals(Map.of("requeued", 0, "failed", 0), sweeperTakeovers,
                "every crashed attempt's job came back through its own message, none through the sweeper");
        assertTrue(succeeded >= (jobs - poison.size()) * 0.99, "succeeded " + succeeded + " of " + (jobs - poison.size()));
    }

    /**
     * Submits keyed jobs of tenant-a while the rest drains, a few keys over and over, until {@code target} were
     * submitted and each key was taken three times on average: each key's job runs through crashes, duplicates and waits while the next submissions for its key are
     * refused, until it ends and the next one gets the key.
     */
    private static final class KeyedSubmitter extends Thread {
        final Queue<String> accepted = new ConcurrentLinkedQueue<>();
        final Map<String, String> keyedIds = new ConcurrentHashMap<>();
        /** When each accepted submit was answered: its key was taken before then (and after its createdAt). */
        final Map<String, Instant> answeredAt = new ConcurrentHashMap<>();
        final AtomicInteger submitted = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();
        private final Jobline jobline;
        private final int target;
        private final Random random;

        KeyedSubmitter(Jobline jobline, int target, Random random) {
            super("chaos-keyed-submitter");
            setDaemon(true);
            this.jobline = jobline;
            this.target = target;
            this.random = random;
        }

        @Override
        public void run() {
            try {
                // at least target submits, and until each key was taken a few times over (its jobs ended in between)
                while ((submitted.get() < target || keyedIds.size() < 3 * KEYS) && !isInterrupted()) {
                    String key = "key-" + random.nextInt(KEYS);
                    String body = "{\"type\":\"ledger\",\"payload\":{\"keyed\":true},\"concurrencyKey\":\"" + key + "\"}";
                    var response = jobline.call("api-submit-job.json", e -> e.setBody(body));
                    submitted.incrementAndGet();
                    if (response.getStatusCode() == 202) {
                        String id = (String) Json.parseObject(response.getBody()).get("jobId");
                        answeredAt.put(id, Instant.now());
                        keyedIds.put(id, key);
                        accepted.add(id);
                    } else if (response.getStatusCode() == 409) {
                        refused.incrementAndGet();
                    } else {
                        throw new IllegalStateException("a keyed submit answered " + response.getStatusCode() + ": " + response.getBody());
                    }
                    Thread.sleep(100);
                }
            } catch (InterruptedException e) {
                // the run is over
            }
        }
    }

    /**
     * A job holds its key from its submission to its end (finishedAt): for every key, those spans follow one another
     * without overlap. The key is taken during the submit call, after the job's createdAt and before the answer: a
     * submit answered before the key's previous job ended would have shared it. And once everything ended, no key is held.
     */
    private static void assertKeysNeverSharedAndAllGivenBack(Jobline jobline, KeyedSubmitter keyed) {
        assertTrue(keyed.keyedIds.size() > KEYS, "keys were taken again after their jobs ended: " + keyed.keyedIds.size());
        assertTrue(keyed.refused.get() > 0, "some keyed submit met its key held");
        Map<String, List<Job>> byKey = new HashMap<>();
        keyed.keyedIds.forEach((id, key) -> byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(jobline.job(id)));
        byKey.forEach((key, held) -> {
            held.sort(java.util.Comparator.comparing(Job::createdAt));
            for (int i = 1; i < held.size(); i++) {
                Job before = held.get(i - 1);
                Job after = held.get(i);
                Instant answered = keyed.answeredAt.get(after.jobId());
                assertTrue(before.finishedAt() != null && !answered.isBefore(before.finishedAt()),
                        key + ": job " + after.jobId() + " was accepted at " + answered + " while " + before.jobId()
                                + " held the key (until " + before.finishedAt() + ")");
            }
        });
        List<dev.jobline.store.KeyStore.HeldKey> stillHeld = new ArrayList<>();
        for (int shard = 0; shard < jobline.wiring.store().shards(); shard++) {
            stillHeld.addAll(jobline.keys().held(shard));
        }
        assertEquals(List.of(), stillHeld, "every key was given back when its job ended");
    }

    /** Every hold left on a limit is a crashed attempt's, and has run out: none outlives its attempt. */
    private static void assertNoHoldOutlivesItsAttempt(Jobline jobline) {
        String table = jobline.resources.tableName("JobsTable");
        long now = Instant.now().toEpochMilli();
        List<String> limits = new ArrayList<>(List.of("limit#type#ledger"));
        TENANTS.forEach(tenant -> limits.add("limit#tenant#" + tenant.length() + ":" + tenant));
        for (String limit : limits) {
            Map<String, AttributeValue> item = jobline.aws.dynamoClient().getItem(b -> b.tableName(table)
                    .key(Map.of("jobId", AttributeValue.fromS(limit))).consistentRead(true)).item();
            assertTrue(item != null && item.containsKey("held"), limit + " was held");
            item.forEach((name, value) -> {
                if (name.startsWith("h_")) {
                    assertTrue(name.startsWith("h_crashed-") && Long.parseLong(value.n()) < now,
                            limit + " is still held by " + name + " until " + Instant.ofEpochMilli(Long.parseLong(value.n())));
                }
            });
        }
    }

    /** Milliseconds from each crash to the start of the attempt that took its job up again. */
    private List<Long> recoveryMillis() {
        List<Long> millis = new ArrayList<>();
        crashes.forEach((jobId, crashed) -> crashed.forEach((attempt, at) -> {
            Map<Integer, Instant> starts = attemptStarts.getOrDefault(jobId, Map.of());
            starts.entrySet().stream().filter(start -> start.getKey() > attempt).map(Map.Entry::getValue).min(Instant::compareTo)
                    .ifPresent(next -> millis.add(Duration.between(at, next).toMillis()));
        }));
        millis.sort(null);
        return millis;
    }

    private static long percentile(List<Long> sorted, int percent) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    /**
     * Lambda's event source for the jobs queue, with chaos: several pollers, each with its own worker environment,
     * each receiving up to ten messages (hidden for the visibility timeout), crashing after the claim for some records
     * and delivering the rest.
     */
    private static final class Drain {
        final AtomicInteger crashes = new AtomicInteger();
        final AtomicInteger deliveries = new AtomicInteger();
        final Queue<String> failures = new ConcurrentLinkedQueue<>();
        private final Jobline jobline;
        private final List<Thread> pollers = new ArrayList<>();
        private final AtomicBoolean stopped = new AtomicBoolean();

        private final Map<String, Map<Integer, Instant>> crashTimes;
        private final Queue<Map.Entry<String, Instant>> crashHolds;

        Drain(Jobline jobline, int pollers, long seed, Map<String, Map<Integer, Instant>> crashTimes,
              Queue<Map.Entry<String, Instant>> crashHolds) {
            this.jobline = jobline;
            this.crashTimes = crashTimes;
            this.crashHolds = crashHolds;
            for (int i = 0; i < pollers; i++) {
                Random dice = new Random(seed + 1 + i);
                WorkerHandler worker = jobline.newWorker();
                Thread poller = new Thread(() -> poll(worker, dice), "chaos-poller-" + i);
                poller.setDaemon(true);
                this.pollers.add(poller);
            }
        }

        void start() {
            pollers.forEach(Thread::start);
        }

        /** Stops receiving and waits for the invocations under way, so the ledger is final. */
        void stop() throws InterruptedException {
            stopped.set(true);
            for (Thread poller : pollers) {
                poller.join(Duration.ofMinutes(2).toMillis());
            }
        }

        private void poll(WorkerHandler worker, Random dice) {
            while (!stopped.get()) {
                try {
                    SQSEvent event = jobline.receive(jobline.queueUrl, Duration.ofSeconds(1), VISIBILITY);
                    List<SQSEvent.SQSMessage> survivors = new ArrayList<>();
                    for (SQSEvent.SQSMessage record : event.getRecords()) {
                        if (dice.nextDouble() < CRASH_RATE && crashAfterClaiming(jobline, record,
                                Duration.ofMillis((long) (dice.nextDouble() * MAX_CLAIM_DELAY_MILLIS)), crashTimes, crashHolds)) {
                            crashes.incrementAndGet();
                        } else {
                            survivors.add(record);
                        }
                    }
                    if (!survivors.isEmpty()) {
                        event.setRecords(survivors);
                        deliveries.addAndGet(survivors.size());
                        jobline.deliver(worker, event, Duration.ofSeconds(60));
                    }
                } catch (RuntimeException e) {
                    // as with Lambda's event source: a failed round deletes nothing, its messages come back
                    failures.add(e.toString());
                }
            }
        }

        @Override
        public String toString() {
            return crashes.get() + " crashes after claim, " + deliveries.get() + " deliveries, "
                    + failures.size() + " failed poller rounds";
        }
    }

    /**
     * A worker that claimed the job {@code claimDelay} after receiving its message, and died: no completion, no
     * release, the message not deleted. The lease runs from the claim, so it ends that much later than it would
     * have from the receive. False when there was nothing to claim (a full limit, an ended job, a live lease): the
     * record is then delivered as usual.
     */
    private static boolean crashAfterClaiming(Jobline jobline, SQSEvent.SQSMessage record, Duration claimDelay,
                                           Map<String, Map<Integer, Instant>> crashTimes,
                                           Queue<Map.Entry<String, Instant>> crashHolds) {
        return JobMessage.jobIdFrom(record.getBody()).map(jobId -> {
            Instant now = jobline.clock.instant();
            // one owner per receive, as a worker names its attempts: a later receive of the same message that met this
            // crash's hold would otherwise count as its holder, and give that hold back when its own claim lost
            Lease lease = new Lease("crashed-" + record.getMessageId() + "#" + java.util.UUID.randomUUID(),
                    now.plus(claimDelay).plus(LEASE));
            // as a worker does: the limits first (a full one and it would have waited), then the claim; then it dies
            Job job = jobline.wiring.store().find(jobId).orElse(null);
            if (job == null || jobline.wiring.limits().hold(lease.owner(), job.tenantId(), job.type(), lease.expiresAt(), now).isPresent()) {
                return false;
            }
            Optional<JobStore.Claim> claimed = jobline.wiring.store().claim(jobId, lease, now);
            if (claimed.isEmpty()) {
                jobline.wiring.limits().release(lease.owner(), job.tenantId(), job.type());
                return false;
            }
            crashTimes.computeIfAbsent(jobId, id -> new ConcurrentHashMap<>()).put(claimed.get().job().attempts(), Instant.now().plus(claimDelay));
            crashHolds.add(Map.entry(job.tenantId(), lease.expiresAt()));
            return true;
        }).orElse(false);
    }

    /**
     * Reads up to {@code most} of the pending jobs' statuses (BatchGetItem, 100 a call) and forgets those that ended;
     * the others go to the back, so the next call reads the rest. Nothing here moves a job back from an end.
     */
    private static void forgetEnded(Jobline jobline, Set<String> pending, int most) {
        String table = jobline.resources.tableName("JobsTable");
        List<String> batch = new ArrayList<>();
        for (String id : pending) {
            if (batch.size() == most) {
                break;
            }
            batch.add(id);
        }
        for (int from = 0; from < batch.size(); from += 100) {
            Map<String, KeysAndAttributes> request = Map.of(table, KeysAndAttributes.builder()
                    .keys(batch.subList(from, Math.min(batch.size(), from + 100)).stream()
                            .map(id -> Map.of("jobId", AttributeValue.fromS(id))).toList())
                    .projectionExpression("jobId, #s")
                    .expressionAttributeNames(Map.of("#s", "status"))
                    .consistentRead(true)
                    .build());
            while (!request.isEmpty()) {
                Map<String, KeysAndAttributes> asked = request;
                BatchGetItemResponse response = jobline.aws.dynamoClient().batchGetItem(b -> b.requestItems(asked));
                for (Map<String, AttributeValue> item : response.responses().getOrDefault(table, List.of())) {
                    if (JobStatus.valueOf(item.get("status").s()).isTerminal()) {
                        pending.remove(item.get("jobId").s());
                    }
                }
                request = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
            }
        }
        for (String id : batch) {
            if (pending.remove(id)) {
                pending.add(id);
            }
        }
    }

    /** One scan of the table, once the run is over. */
    private static Map<JobStatus, Integer> countByStatus(Jobline jobline) {
        Map<JobStatus, Integer> counts = new HashMap<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            var page = jobline.aws.dynamoClient().scan(b -> b.tableName(jobline.resources.tableName("JobsTable"))
                    .filterExpression("jobType = :t")
                    .expressionAttributeValues(Map.of(":t", AttributeValue.fromS("ledger")))
                    .projectionExpression("#s")
                    .expressionAttributeNames(Map.of("#s", "status"))
                    .exclusiveStartKey(from));
            page.items().forEach(item -> counts.merge(JobStatus.valueOf(item.get("status").s()), 1, Integer::sum));
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return counts;
    }

    /** Submissions made through an API that died between each one's send and its write. */
    private record DyingSubmits(List<String> retried, int abandoned) {
    }

    /**
     * {@code submissions} single submits with an Idempotency-Key, each of which dies after its message was sent and
     * before its job was written (503 to the client, as a dead function's would be a 502): every other one is submitted
     * again with the same key (its job id is the same: the message sent before the death names it), the rest are given
     * up (their messages name jobs that never exist).
     */
    private static DyingSubmits dyingSubmits(Jobline jobline, int submissions) {
        List<String> retried = new ArrayList<>();
        int abandoned = 0;
        for (int i = 0; i < submissions; i++) {
            String key = "dying-" + i;
            String body = "{\"type\":\"ledger\",\"payload\":{\"dying\":" + i + "}}";
            java.util.function.Consumer<com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent> request = e -> {
                e.setBody(body);
                e.getHeaders().put("idempotency-key", key);
            };
            jobline.faults.failNextJobPuts(1);
            var died = jobline.call("api-submit-job.json", request);
            assertEquals(503, died.getStatusCode(), died.getBody());
            if (i % 2 == 0) {
                var again = jobline.call("api-submit-job.json", request);
                assertEquals(202, again.getStatusCode(), again.getBody());
                retried.add((String) Json.parseObject(again.getBody()).get("jobId"));
            } else {
                abandoned++;
            }
        }
        return new DyingSubmits(retried, abandoned);
    }

    /** Messages in the jobs queue: visible, in flight or delayed (ElasticMQ's counts are exact). */
    private static int messagesLeft(Jobline jobline) {
        Map<String, String> attributes = jobline.aws.sqsClient().getQueueAttributes(b -> b.queueUrl(jobline.queueUrl)
                .attributeNamesWithStrings("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                        "ApproximateNumberOfMessagesDelayed")).attributesAsStrings();
        return attributes.values().stream().mapToInt(Integer::parseInt).sum();
    }

    /**
     * The queue's faults, each played while the queue is full, each recovered by its own reconciliation: as the drain
     * starts, up to 30 visible messages are deleted behind Jobline's back, and the daily reconciliation is started (its
     * rule's event) once they are stale (QUEUED_STALE_SECONDS 10, and a crashed attempt's lease and its message's
     * grace: 75 s). Once that run is done, a second wave of 100 jobs is submitted, the queue is purged under it, and 75 s
     * later an operator asks for a reconciliation (POST /admin/reconcile). The sweeps every 2 s carry the runs on.
     */
    private static final class QueueFaults {
        private static final Duration STALE = Duration.ofSeconds(75);
        private static final int WAVE = 100;
        final Set<String> deleted = new java.util.HashSet<>();
        int purged;
        dev.jobline.store.ReconcileRun scheduled;
        dev.jobline.store.ReconcileRun admin;
        private final Jobline jobline;
        private final int jobs;
        private Instant deletedAt;
        private Instant purgedAt;
        private boolean scheduledStarted;
        private boolean adminStarted;

        QueueFaults(Jobline jobline, int jobs) {
            this.jobline = jobline;
            this.jobs = jobs;
        }

        /** Plays what is due now; answers the jobs it submitted (a second wave, for the purge to find the queue full). */
        List<String> play() {
            List<String> submitted = new ArrayList<>();
            Instant now = Instant.now();
            if (deletedAt == null) {
                for (int receives = 0; receives < 3; receives++) {
                    var received = jobline.aws.sqsClient().receiveMessage(b -> b.queueUrl(jobline.queueUrl)
                            .maxNumberOfMessages(10).visibilityTimeout(30)).messages();
                    for (var message : received) {
                        jobline.aws.sqsClient().deleteMessage(b -> b.queueUrl(jobline.queueUrl).receiptHandle(message.receiptHandle()));
                        JobMessage.jobIdFrom(message.body()).ifPresent(deleted::add);
                    }
                }
                deletedAt = now;
            }
            if (deletedAt != null && !scheduledStarted && now.isAfter(deletedAt.plus(STALE))) {
                Map<String, Object> sweep = jobline.startReconciliation();
                scheduledStarted = sweep.get("reconcile") != null;
            }
            boolean scheduledDone = scheduled != null && !scheduled.running();
            if (purgedAt == null && scheduledDone) {
                // a second wave fills the queue again, and the queue is purged under it
                StringBuilder batch = new StringBuilder("{\"jobs\":[");
                for (int i = 0; i < WAVE; i++) {
                    batch.append(i == 0 ? "" : ",").append("{\"type\":\"ledger\",\"payload\":{\"wave\":").append(i).append("}}");
                }
                Map<String, Object> answer = Json.parseObject(jobline.call("api-submit-batch.json",
                        e -> e.setBody(batch.append("]}").toString())).getBody());
                for (Object item : (List<?>) answer.get("jobs")) {
                    submitted.add((String) ((Map<?, ?>) item).get("jobId"));
                }
                purged = Integer.parseInt(jobline.aws.sqsClient().getQueueAttributes(b -> b.queueUrl(jobline.queueUrl)
                        .attributeNamesWithStrings("ApproximateNumberOfMessages")).attributesAsStrings().get("ApproximateNumberOfMessages"));
                jobline.aws.sqsClient().purgeQueue(b -> b.queueUrl(jobline.queueUrl));
                purgedAt = now;
            }
            if (purgedAt != null && !adminStarted && now.isAfter(purgedAt.plus(STALE))) {
                var answer = jobline.call("api-reconcile.json", e -> { });
                adminStarted = answer.getStatusCode() == 202;
                if (answer.getStatusCode() != 202 && answer.getStatusCode() != 409) {
                    throw new IllegalStateException("POST /admin/reconcile answered " + answer.getStatusCode() + ": " + answer.getBody());
                }
            }
            jobline.reconciliation().ifPresent(run -> {
                if (run.trigger() == dev.jobline.store.ReconcileRun.Trigger.ADMIN) {
                    admin = run;
                } else {
                    scheduled = run;
                }
            });
            return submitted;
        }

        /** Both faults played, and the operator's reconciliation (the last) ended. */
        boolean recovered() {
            return admin != null && !admin.running();
        }

        static String said(dev.jobline.store.ReconcileRun run) {
            return run == null ? "no reconciliation" : run.trigger().label() + " run " + run.status() + ": " + run.itemsRead()
                    + " items read, " + run.resent() + " sent again";
        }
    }
}
