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
import dev.jobline.queue.JobMessage;
import dev.jobline.store.Lease;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Chaos: workers crash after claiming, payloads are poison, messages arrive twice. Every job must
 * still end, each succeeded job's side effect must have happened exactly once, and poison jobs
 * must fail with a reason. 500 jobs here; {@code -Djobline.chaos.jobs=10000} for the full run.
 */
@ExtendWith(LocalAwsExtension.class)
class ChaosIntegrationTest {
    private static final double CRASH_RATE = 0.20;
    private static final double POISON_RATE = 0.05;
    private static final double DUPLICATE_RATE = 0.05;

    /** The side effects, by job id: how many times each job's work was applied. */
    private final Map<String, Integer> ledger = new ConcurrentHashMap<>();

    private JobType ledgerType() {
        return JobType.of("ledger", context -> {
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
        Random random = new Random(20261124);
        Jobline jobline = new Jobline(aws, resources, Map.of(
                "LEASE_SECONDS", "3",
                "QUEUED_STALE_SECONDS", "10",
                "TENANT_MAX_IN_FLIGHT", "1000000",
                "TENANT_SUBMITS_PER_MINUTE", "1000000"), List.of(ledgerType()));

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

        int crashes = 0;
        int deliveries = 0;
        Instant giveUp = Instant.now().plus(Duration.ofMinutes(Math.max(3, jobs / 200)));
        Instant nextSweep = Instant.now();
        Map<JobStatus, Integer> counts = countByStatus(jobline);
        while (counts.getOrDefault(JobStatus.SUCCEEDED, 0) + counts.getOrDefault(JobStatus.FAILED, 0) < jobs
                && Instant.now().isBefore(giveUp)) {
            // messages a crashed worker leaves come back after 3 s, as its lease expires
            SQSEvent event = jobline.receive(jobline.queueUrl, Duration.ofSeconds(1), Duration.ofSeconds(3));
            List<SQSEvent.SQSMessage> survivors = new ArrayList<>();
            for (SQSEvent.SQSMessage record : event.getRecords()) {
                if (random.nextDouble() < CRASH_RATE) {
                    crashes++;
                    crashAfterClaiming(jobline, record);
                } else {
                    survivors.add(record);
                }
            }
            if (!survivors.isEmpty()) {
                event.setRecords(survivors);
                deliveries += survivors.size();
                jobline.deliver(event);
            }
            if (Instant.now().isAfter(nextSweep)) {
                jobline.sweep();
                nextSweep = Instant.now().plusSeconds(2);
                counts = countByStatus(jobline);
            }
        }
        counts = countByStatus(jobline);
        System.out.printf("chaos: %d jobs, %d poison, %d crashes after claim, %d deliveries, statuses %s%n",
                jobs, poison.size(), crashes, deliveries, counts);

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
        assertTrue(crashes > 0, "the run crashed some workers");
        assertTrue(succeeded >= (jobs - poison.size()) * 0.99, "succeeded " + succeeded + " of " + (jobs - poison.size()));
    }

    /** A worker that claimed the job and died: no completion, no release, the message not deleted. */
    private static void crashAfterClaiming(Jobline jobline, SQSEvent.SQSMessage record) {
        JobMessage.jobIdFrom(record.getBody()).ifPresent(jobId -> {
            Instant now = jobline.clock.instant();
            jobline.wiring.store().claim(jobId, new Lease("crashed-" + record.getMessageId(), now.plusSeconds(3)), now);
        });
    }

    private static Map<JobStatus, Integer> countByStatus(Jobline jobline) {
        Map<JobStatus, Integer> counts = new HashMap<>();
        Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> start = null;
        do {
            Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> from = start;
            var page = jobline.aws.dynamoClient().scan(b -> b.tableName(jobline.resources.tableName("JobsTable"))
                    .filterExpression("jobType = :t")
                    .expressionAttributeValues(Map.of(":t", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("ledger")))
                    .projectionExpression("#s")
                    .expressionAttributeNames(Map.of("#s", "status"))
                    .exclusiveStartKey(from));
            page.items().forEach(item -> counts.merge(JobStatus.valueOf(item.get("status").s()), 1, Integer::sum));
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return counts;
    }
}
