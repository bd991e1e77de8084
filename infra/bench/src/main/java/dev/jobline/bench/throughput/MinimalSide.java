package dev.jobline.bench.throughput;

import dev.jobline.config.Clients;
import dev.jobline.json.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * The minimal floor: the least a correct queue-backed job system must send, with none of Jobline's code or
 * features (no quota, no status counters, no running limits, no recovery index). Per submit one SendMessage, then
 * one conditional PutItem of the job item (send before write, as issue 17 has Jobline do: a crash between the two
 * leaves a message the worker drops, never a stored job with no message). Per record two conditional UpdateItems:
 * the claim QUEUED -> RUNNING with a lease (or over an expired lease), which answers the job, and the finish
 * RUNNING -> SUCCEEDED under that lease. Receives and deletes are the event-source poller's, as for the other sides.
 *
 * <p>The job item carries what a job system must keep (tenant, type, payload, status, attempts, times) and the
 * {@code byTenant} keys, since listing a tenant's jobs is part of any such API; it stays out of {@code inFlight}.
 *
 * <p>A message can arrive before its item is written (the send comes first). Such a claim finds no item: the worker
 * then reads the item (consistently) and, while the message is younger than {@link #GRACE_MILLIS}, makes it visible
 * again in {@link #RETRY_SECONDS} and names it for redelivery, as Jobline's worker does; otherwise it drops it.
 * These extra calls are rare and counted like every other; {@link #returned()} says how many there were.
 */
final class MinimalSide {
    static final long GRACE_MILLIS = 60_000;
    static final int RETRY_SECONDS = 2;

    private final Clients clients;
    private final String table;
    private final String queueUrl;
    private final String type;
    private final String payload;
    private final int leaseSeconds;
    private final int parallelism;
    private final AtomicInteger returned = new AtomicInteger();

    /**
     * @param submitBody the body of the API's submit request ({@code {"type": ..., "payload": {...}}})
     */
    MinimalSide(Clients clients, String table, String queueUrl, String submitBody, int leaseSeconds, int parallelism) {
        this.clients = clients;
        this.table = table;
        this.queueUrl = queueUrl;
        Map<String, Object> submit = Json.parseObject(submitBody);
        this.type = (String) submit.get("type");
        this.payload = Json.write(submit.get("payload"));
        this.leaseSeconds = leaseSeconds;
        this.parallelism = parallelism;
    }

    /** The calls it sends, for the report. */
    Map<String, List<String>> calls() {
        Map<String, List<String>> calls = new LinkedHashMap<>();
        calls.put("per submit", List.of("SendMessage", "PutItem (attribute_not_exists)"));
        calls.put("per record", List.of("UpdateItem (claim QUEUED->RUNNING, lease)", "UpdateItem (finish under the lease)"));
        return calls;
    }

    /** Messages that came before their item and were handed back for redelivery (over all runs so far). */
    int returned() {
        return returned.get();
    }

    Pipeline.Submitter submitter() {
        return (jobs, tenant) -> {
            String jobId = UUID.randomUUID().toString();
            long now = System.currentTimeMillis();
            clients.sqs().sendMessage(b -> b.queueUrl(queueUrl).messageBody(Json.write(Map.of("jobId", jobId))));
            Map<String, AttributeValue> item = new LinkedHashMap<>();
            item.put("jobId", s(jobId));
            item.put("tenantId", s(tenant));
            item.put("createdKey", s(Instant.ofEpochMilli(now) + "#" + jobId));
            item.put("jobType", s(type));
            item.put("payload", s(payload));
            item.put("status", s("QUEUED"));
            item.put("attempts", n(0));
            item.put("createdAt", n(now));
            item.put("updatedAt", n(now));
            clients.dynamo().putItem(b -> b.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(jobId)"));
            return 1;
        };
    }

    EventSourcePoller.Function worker() {
        ExecutorService threads = Executors.newFixedThreadPool(parallelism, runnable -> {
            Thread thread = new Thread(runnable, "minimal-worker");
            thread.setDaemon(true);
            return thread;
        });
        return (batch, queueArn) -> {
            List<Future<Boolean>> running = new ArrayList<>(batch.size());
            for (Message message : batch) {
                running.add(threads.submit(() -> run(message)));
            }
            List<String> redeliver = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                try {
                    if (!running.get(i).get()) {
                        redeliver.add(batch.get(i).messageId());
                    }
                } catch (Exception e) {
                    redeliver.add(batch.get(i).messageId());
                }
            }
            return redeliver;
        };
    }

    /** Claims, runs (echo: the payload is the result) and finishes one job; false to have its message delivered again. */
    private boolean run(Message message) {
        String jobId = (String) Json.parseObject(message.body()).get("jobId");
        Map<String, AttributeValue> key = Map.of("jobId", s(jobId));
        String owner = UUID.randomUUID().toString();
        Instant now = Instant.now();
        Map<String, AttributeValue> job;
        try {
            job = clients.dynamo().updateItem(b -> b.tableName(table).key(key)
                    .updateExpression("SET #s = :running, leaseOwner = :owner, leaseExpiresAt = :expires, "
                            + "startedAt = :now, updatedAt = :now, attempts = attempts + :one")
                    .conditionExpression("#s = :queued OR (#s = :running AND leaseExpiresAt < :now)")
                    .expressionAttributeNames(Map.of("#s", "status"))
                    .expressionAttributeValues(Map.of(":running", s("RUNNING"), ":queued", s("QUEUED"),
                            ":owner", s(owner), ":expires", n(now.plusSeconds(leaseSeconds).toEpochMilli()),
                            ":now", n(now.toEpochMilli()), ":one", n(1)))
                    .returnValues(ReturnValue.ALL_NEW)).attributes();
        } catch (ConditionalCheckFailedException e) {
            return notClaimed(message, key);
        }
        long finished = System.currentTimeMillis();
        clients.dynamo().updateItem(b -> b.tableName(table).key(key)
                .updateExpression("SET #s = :succeeded, #r = :result, finishedAt = :now, updatedAt = :now "
                        + "REMOVE leaseOwner, leaseExpiresAt")
                .conditionExpression("#s = :running AND leaseOwner = :owner")
                .expressionAttributeNames(Map.of("#s", "status", "#r", "result"))
                .expressionAttributeValues(Map.of(":succeeded", s("SUCCEEDED"), ":running", s("RUNNING"),
                        ":owner", s(owner), ":result", job.get("payload"), ":now", n(finished)))
                .returnValues(ReturnValue.UPDATED_NEW));
        return true;
    }

    /**
     * A claim that found no QUEUED job and no expired lease: done, or held by a live attempt (whose own message
     * covers it), or not written yet. The item is read after the claim, so the submit's write may have landed in
     * between: a job that is claimable now is delivered again too (dropping it would lose it).
     */
    private boolean notClaimed(Message message, Map<String, AttributeValue> key) {
        Map<String, AttributeValue> item = clients.dynamo().getItem(b -> b.tableName(table).key(key).consistentRead(true)
                .projectionExpression("#s, leaseExpiresAt").expressionAttributeNames(Map.of("#s", "status"))).item();
        String sent = message.attributes().get(MessageSystemAttributeName.SENT_TIMESTAMP);
        boolean young = sent != null && System.currentTimeMillis() - Long.parseLong(sent) < GRACE_MILLIS;
        boolean again;
        if (item == null || item.isEmpty()) {
            again = young;
        } else {
            String status = item.get("status").s();
            AttributeValue lease = item.get("leaseExpiresAt");
            again = status.equals("QUEUED") || status.equals("RUNNING")
                    && (lease == null || Long.parseLong(lease.n()) < System.currentTimeMillis());
        }
        if (!again) {
            return true;
        }
        returned.incrementAndGet();
        clients.sqs().changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle())
                .visibilityTimeout(RETRY_SECONDS));
        return false;
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
