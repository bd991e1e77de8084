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
 * must fail with a reason. A crashed attempt's job must come back through its own message, never
 * through the sweeper: as in Lambda, a claim comes some time after its receive (the batching window,
 * the records before it), sometimes later than the lease and visibility leave room for. 500 jobs here;
 * {@code -Djobline.chaos.jobs=10000} for the full run ({@code -Djobline.chaos.pollers}, 4 unless set,
 * is how many pollers drain the queue at once).
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

    /** When each job's attempts started (handler entry), by job id and attempt; and when crashed attempts died. */
    private final Map<String, Map<Integer, Instant>> attemptStarts = new ConcurrentHashMap<>();
    private final Map<String, Map<Integer, Instant>> crashes = new ConcurrentHashMap<>();

    /** The side effects, by job id: how many times each job's work was applied. */
    private final Map<String, Integer> ledger = new ConcurrentHashMap<>();

    private JobType ledgerType() {
        return JobType.of("ledger", context -> {
            attemptStarts.computeIfAbsent(context.jobId(), id -> new ConcurrentHashMap<>()).put(context.attempt(), Instant.now());
            if (context.payload() instanceof Map<?, ?> payload && Boolean.TRUE.equals(payload.get("poison"))) {
                throw new IllegalStateException("poison payload: cannot be processed");
            }
            ledger.merge(context.jobId(), 1, Integer::sum);
            return "applied";
        }).withMaxAttempts(6).withTimeout(Duration.ofSeconds(5))
                .withRetryPolicy(new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(2)));
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
                "TENANT_MAX_IN_FLIGHT", "1000000",
                "TENANT_SUBMITS_PER_MINUTE", "1000000"), List.of(ledgerType()));

        Instant submitting = Instant.now();
        Set<String> poison = ConcurrentHashMap.newKeySet();
        List<String> ids = new ArrayList<>();
        for (int from = 0; from < jobs; from += 100) {
            StringBuilder batch = new StringBuilder("{\"jobs\":[");
            List<Boolean> poisoned = new ArrayList<>();
            for (int i = from; i < Math.min(jobs, from + 100); i++) {
                boolean isPoison = random.nextDouble() < POISON_RATE;
                poisoned.add(isPoison);
                batch.append(i == from ? "" : ",").append("{\"type\":\"ledger\",\"payload\":{\"n\":").append(i)
                        .append(",\"poison\":").append(isPoison).append("}}");
            }
            Map<String, Object> answer = Json.parseObject(jobline.call("api-submit-batch.json",
                    e -> e.setBody(batch.append("]}").toString())).getBody());
            List<?> items = (List<?>) answer.get("jobs");
            for (int k = 0; k < items.size(); k++) {
                String id = (String) ((Map<?, ?>) items.get(k)).get("jobId");
                ids.add(id);
                if (poisoned.get(k)) {
                    poison.add(id);
                }
                if (random.nextDouble() < DUPLICATE_RATE) {
                    aws.sqsClient().sendMessage(b -> b.queueUrl(jobline.queueUrl)
                            .messageBody(new JobMessage(id, "tenant-a", "ledger", null).body()));
                }
            }
        }
        assertEquals(jobs, ids.size());

        // the event source's pollers run while the main thread plays the schedule: a sweep every 2 s
        Instant started = Instant.now();
        Instant giveUp = started.plus(Duration.ofMinutes(Math.max(3, jobs / 200)));
        Drain drain = new Drain(jobline, pollers, SEED, crashes);
        Map<String, Integer> sweeperTakeovers = new HashMap<>();
        Set<String> pending = new LinkedHashSet<>(ids);
        Path functionLog = Path.of("target", "chaos-functions.log");
        try (PrintStream functionLines = new PrintStream(new BufferedOutputStream(Files.newOutputStream(functionLog)), false,
                StandardCharsets.UTF_8)) {
            // 10,000 jobs write some 10 MB of log lines: to a file, not through surefire's capture of stdout
            Log.redirect(functionLines);
            drain.start();
            Instant nextReport = started.plusSeconds(30);
            while (!pending.isEmpty() && Instant.now().isBefore(giveUp)) {
                Thread.sleep(2_000);
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
            drain.stop();
            Log.redirect(System.out);
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
            } else {
                // six crashes in a row: possible, rare, and then it says why
                assertEquals(JobStatus.FAILED, job.status());
                assertTrue(job.error().message().contains(JobError.LEASE_EXPIRED), job.error().toString());
            }
        }
        assertTrue(drain.crashes.get() > 0, "the run crashed some workers");
        assertEquals(Map.of("requeued", 0, "failed", 0), sweeperTakeovers,
                "every crashed attempt's job came back through its own message, none through the sweeper");
        assertTrue(succeeded >= (jobs - poison.size()) * 0.99, "succeeded " + succeeded + " of " + (jobs - poison.size()));
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

        Drain(Jobline jobline, int pollers, long seed, Map<String, Map<Integer, Instant>> crashTimes) {
            this.jobline = jobline;
            this.crashTimes = crashTimes;
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
                        if (dice.nextDouble() < CRASH_RATE) {
                            crashes.incrementAndGet();
                            crashAfterClaiming(jobline, record, Duration.ofMillis((long) (dice.nextDouble() * MAX_CLAIM_DELAY_MILLIS)),
                                    crashTimes);
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
     * have from the receive.
     */
    private static void crashAfterClaiming(Jobline jobline, SQSEvent.SQSMessage record, Duration claimDelay,
                                           Map<String, Map<Integer, Instant>> crashTimes) {
        JobMessage.jobIdFrom(record.getBody()).ifPresent(jobId -> {
            Instant now = jobline.clock.instant();
            jobline.wiring.store().claim(jobId, new Lease("crashed-" + record.getMessageId(), now.plus(claimDelay).plus(LEASE)), now)
                    .ifPresent(claim -> crashTimes.computeIfAbsent(jobId, id -> new ConcurrentHashMap<>())
                            .put(claim.job().attempts(), Instant.now().plus(claimDelay)));
        });
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
}
