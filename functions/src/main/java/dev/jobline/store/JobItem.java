package dev.jobline.store;

import dev.jobline.cost.CostTotals;
import dev.jobline.job.Job;
import dev.jobline.job.JobError;
import dev.jobline.job.JobKey;
import dev.jobline.job.JobStatus;
import dev.jobline.job.KeyScope;
import dev.jobline.job.Priority;
import dev.jobline.job.Progress;
import dev.jobline.job.WebhookDelivery;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Maps a {@link Job} to and from its DynamoDB item. Times are epoch milliseconds, TTL epoch seconds. */
final class JobItem {
    static final String JOB_ID = "jobId";
    static final String TENANT_ID = "tenantId";
    static final String TYPE = "jobType";
    static final String STATUS = "status";
    static final String PAYLOAD = "payload";
    static final String ATTEMPTS = "attempts";
    static final String MAX_ATTEMPTS = "maxAttempts";
    static final String TIMEOUT_SECONDS = "timeoutSeconds";
    static final String CREATED_AT = "createdAt";
    static final String CREATED_KEY = "createdKey";
    static final String UPDATED_AT = "updatedAt";
    static final String STARTED_AT = "startedAt";
    static final String FINISHED_AT = "finishedAt";
    static final String PROGRESS = "progress";
    static final String RESULT = "result";
    static final String ERROR = "error";
    static final String LEASE_OWNER = "leaseOwner";
    static final String LEASE_EXPIRES_AT = "leaseExpiresAt";
    static final String HEARTBEAT_AT = "heartbeatAt";
    static final String CANCEL_REQUESTED = "cancelRequested";
    static final String NEXT_ATTEMPT_AT = "nextAttemptAt";
    static final String EXPIRES_AT = "expiresAt";
    static final String VERSION = "version";
    static final String INFLIGHT_SHARD = "inflightShard";
    static final String SWEEP_AT = "sweepAt";
    /** How many times the sweeper has sent a QUEUED job again since it was last queued. */
    static final String RESENDS = "resends";
    static final String PRIORITY = "priority";
    static final String RUN_AT = "runAt";
    static final String CALLBACK_URL = "callbackUrl";
    static final String REQUEST_HASH = "requestHash";
    static final String WEBHOOK = "webhook";
    static final String FAILED_SHARD = "failedShard";
    static final String FAILED_AT = "failedAt";
    /** What the job has cost so far (see dev.jobline.cost): each step adds to them in its own write. */
    static final String COST_COMPUTE_MILLIS = "costComputeMillis";
    static final String COST_GB_SECONDS = "costGbSeconds";
    static final String COST_REQUESTS = "costRequests";
    static final String COST_DOLLARS = "costDollars";
    /** When a QUEUED job started (or will start) waiting for a worker: the age of its wait. */
    static final String QUEUED_AT = "queuedAt";
    /** The lease owner whose write ended the job (worker ends only): a redelivery of its message can tell. */
    static final String ENDED_BY = "endedBy";
    /** The concurrency key the job holds (or held), its scope and how long at most. */
    static final String KEY = "concurrencyKey";
    static final String KEY_SCOPE = "keyScope";
    static final String KEY_HELD_UNTIL = "keyHeldUntil";
    /** Why a QUEUED job that could run waits: a concurrency limit that is full. */
    static final String WAITING_FOR = "waitingFor";
    /** The jobs this one waits for (a list, in the submission's order). */
    static final String DEPENDS_ON = "dependsOn";
    /** The jobs that wait for this one (a string set: a dependent's submission ADDs itself). */
    static final String DEPENDENTS = "dependents";

    private JobItem() {
    }

    /** The sort key of the tenant index: newest first when read backwards. */
    static String createdKey(Job job) {
        return job.createdAt().toString() + "#" + job.jobId();
    }

    static Map<String, AttributeValue> toItem(Job job, int shard, Instant sweepAt) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(JOB_ID, s(job.jobId()));
        item.put(TENANT_ID, s(job.tenantId()));
        item.put(TYPE, s(job.type()));
        item.put(STATUS, s(job.status().name()));
        if (job.payload() != null) {
            item.put(PAYLOAD, s(job.payload()));
        }
        item.put(ATTEMPTS, n(job.attempts()));
        item.put(MAX_ATTEMPTS, n(job.maxAttempts()));
        item.put(TIMEOUT_SECONDS, n(job.timeoutSeconds()));
        item.put(CREATED_AT, time(job.createdAt()));
        item.put(CREATED_KEY, s(createdKey(job)));
        item.put(UPDATED_AT, time(job.updatedAt()));
        item.put(CANCEL_REQUESTED, AttributeValue.fromBool(job.cancelRequested()));
        item.put(VERSION, n(job.version()));
        item.put(PRIORITY, s(job.priority().label()));
        if (job.runAt() != null) {
            item.put(RUN_AT, time(job.runAt()));
        }
        if (job.callbackUrl() != null) {
            item.put(CALLBACK_URL, s(job.callbackUrl()));
        }
        if (job.requestHash() != null) {
            item.put(REQUEST_HASH, s(job.requestHash()));
        }
        if (job.key() != null) {
            item.put(KEY, s(job.key().value()));
            item.put(KEY_SCOPE, s(job.key().scope().name()));
            item.put(KEY_HELD_UNTIL, time(job.key().heldUntil()));
        }
        if (job.cost() != null) {
            item.put(COST_COMPUTE_MILLIS, n(job.cost().computeMillis()));
            item.put(COST_GB_SECONDS, decimal(job.cost().gbSeconds()));
            item.put(COST_REQUESTS, decimal(job.cost().requests()));
            item.put(COST_DOLLARS, decimal(job.cost().dollars()));
        }
        if (job.waitingFor() != null) {
            item.put(WAITING_FOR, s(job.waitingFor()));
        }
        if (!job.dependsOn().isEmpty()) {
            item.put(DEPENDS_ON, AttributeValue.fromL(job.dependsOn().stream().map(JobItem::s).toList()));
        }
        if (!job.dependents().isEmpty()) {
            item.put(DEPENDENTS, AttributeValue.fromSs(job.dependents()));
        }
        if (job.status().isInFlight()) {
            Instant queuedAt = job.runAt() != null && job.runAt().isAfter(job.createdAt()) ? job.runAt() : job.createdAt();
            item.put(QUEUED_AT, time(queuedAt));
        }
        if (job.status().isInFlight() && sweepAt != null) {
            // only what no queue holds is in the sparse in-flight index (see DynamoJobStore#firstSweep)
            item.put(INFLIGHT_SHARD, s(Integer.toString(shard)));
            item.put(SWEEP_AT, time(sweepAt));
        }
        return item;
    }

    static Job fromItem(Map<String, AttributeValue> item) {
        return new Job(
                str(item, JOB_ID),
                str(item, TENANT_ID),
                str(item, TYPE),
                JobStatus.valueOf(str(item, STATUS)),
                str(item, PAYLOAD),
                (int) num(item, ATTEMPTS, 0),
                (int) num(item, MAX_ATTEMPTS, 1),
                (int) num(item, TIMEOUT_SECONDS, 0),
                instant(item, CREATED_AT),
                instant(item, UPDATED_AT),
                instant(item, STARTED_AT),
                instant(item, FINISHED_AT),
                progress(item.get(PROGRESS)),
                str(item, RESULT),
                error(item.get(ERROR)),
                str(item, LEASE_OWNER),
                instant(item, LEASE_EXPIRES_AT),
                instant(item, HEARTBEAT_AT),
                item.containsKey(CANCEL_REQUESTED) && Boolean.TRUE.equals(item.get(CANCEL_REQUESTED).bool()),
                instant(item, NEXT_ATTEMPT_AT),
                item.containsKey(EXPIRES_AT) ? Instant.ofEpochSecond(num(item, EXPIRES_AT, 0)) : null,
                num(item, VERSION, 0),
                priority(item),
                instant(item, RUN_AT),
                str(item, CALLBACK_URL),
                str(item, REQUEST_HASH),
                webhook(item.get(WEBHOOK)),
                cost(item),
                str(item, ENDED_BY),
                key(item),
                str(item, WAITING_FOR),
                list(item, DEPENDS_ON),
                list(item, DEPENDENTS));
    }

    /** A list of strings, stored as a list or a string set; empty when absent. */
    static List<String> list(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        if (value == null) {
            return List.of();
        }
        if (value.hasSs()) {
            return new ArrayList<>(new TreeSet<>(value.ss()));
        }
        return value.hasL() ? value.l().stream().map(AttributeValue::s).toList() : List.of();
    }

    private static JobKey key(Map<String, AttributeValue> item) {
        String value = str(item, KEY);
        return value == null ? null : new JobKey(value, KeyScope.valueOf(str(item, KEY_SCOPE)), instant(item, KEY_HELD_UNTIL));
    }

    private static CostTotals cost(Map<String, AttributeValue> item) {
        if (!item.containsKey(COST_DOLLARS)) {
            return null;
        }
        return new CostTotals(num(item, COST_COMPUTE_MILLIS, 0), decimal(item, COST_GB_SECONDS),
                decimal(item, COST_REQUESTS), decimal(item, COST_DOLLARS));
    }

    private static BigDecimal decimal(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? BigDecimal.ZERO : new BigDecimal(value.n());
    }

    /** A decimal as DynamoDB takes it: plain digits, never an exponent. */
    static AttributeValue decimal(BigDecimal value) {
        return AttributeValue.fromN(value.stripTrailingZeros().toPlainString());
    }

    /** When the job became claimable: its submission, its due time, or the end of a retry's backoff. */
    static Instant queuedAt(Map<String, AttributeValue> item) {
        return instant(item, QUEUED_AT);
    }

    private static Priority priority(Map<String, AttributeValue> item) {
        String label = str(item, PRIORITY);
        return label == null ? Priority.NORMAL : Priority.fromLabel(label).orElse(Priority.NORMAL);
    }

    static AttributeValue webhook(WebhookDelivery delivery) {
        Map<String, AttributeValue> map = new HashMap<>();
        map.put("status", s(delivery.status()));
        map.put("attempts", n(delivery.attempts()));
        if (delivery.lastStatusCode() != null) {
            map.put("lastStatusCode", n(delivery.lastStatusCode()));
        }
        if (delivery.lastError() != null) {
            map.put("lastError", s(delivery.lastError()));
        }
        if (delivery.lastAttemptAt() != null) {
            map.put("lastAttemptAt", time(delivery.lastAttemptAt()));
        }
        return AttributeValue.fromM(map);
    }

    private static WebhookDelivery webhook(AttributeValue value) {
        if (value == null || !value.hasM()) {
            return null;
        }
        Map<String, AttributeValue> map = value.m();
        return new WebhookDelivery(str(map, "status"), (int) num(map, "attempts", 0),
                map.containsKey("lastStatusCode") ? (int) num(map, "lastStatusCode", 0) : null,
                str(map, "lastError"), instant(map, "lastAttemptAt"));
    }

    static DueJob dueFromItem(Map<String, AttributeValue> item) {
        return new DueJob(
                str(item, JOB_ID),
                str(item, TENANT_ID),
                str(item, TYPE),
                JobStatus.valueOf(str(item, STATUS)),
                (int) num(item, ATTEMPTS, 0),
                (int) num(item, MAX_ATTEMPTS, 1),
                instant(item, LEASE_EXPIRES_AT),
                num(item, VERSION, 0),
                priority(item),
                instant(item, QUEUED_AT),
                (int) num(item, RESENDS, 0));
    }

    static AttributeValue progress(Progress progress) {
        Map<String, AttributeValue> map = new HashMap<>();
        map.put("current", n(progress.current()));
        map.put("total", n(progress.total()));
        if (progress.message() != null) {
            map.put("message", s(progress.message()));
        }
        return AttributeValue.fromM(map);
    }

    static AttributeValue error(JobError error) {
        return AttributeValue.fromM(Map.of(
                "code", s(error.code()),
                "message", s(error.message()),
                "retryable", AttributeValue.fromBool(error.retryable())));
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    static AttributeValue time(Instant value) {
        return n(value.toEpochMilli());
    }

    private static Progress progress(AttributeValue value) {
        if (value == null || !value.hasM()) {
            return null;
        }
        Map<String, AttributeValue> map = value.m();
        return new Progress(num(map, "current", 0), num(map, "total", 0), str(map, "message"));
    }

    private static JobError error(AttributeValue value) {
        if (value == null || !value.hasM()) {
            return null;
        }
        Map<String, AttributeValue> map = value.m();
        return new JobError(str(map, "code"), str(map, "message"),
                map.containsKey("retryable") && Boolean.TRUE.equals(map.get("retryable").bool()));
    }

    static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    private static long num(Map<String, AttributeValue> item, String name, long fallback) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? fallback : Long.parseLong(value.n());
    }

    static Instant instant(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? null : Instant.ofEpochMilli(Long.parseLong(value.n()));
    }
}
