package dev.jobline.store;

import dev.jobline.job.Job;
import dev.jobline.job.JobError;
import dev.jobline.job.JobStatus;
import dev.jobline.job.Progress;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
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
        if (job.status().isInFlight()) {
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
                num(item, VERSION, 0));
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
                num(item, VERSION, 0));
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

    private static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    private static long num(Map<String, AttributeValue> item, String name, long fallback) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? fallback : Long.parseLong(value.n());
    }

    private static Instant instant(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? null : Instant.ofEpochMilli(Long.parseLong(value.n()));
    }
}
