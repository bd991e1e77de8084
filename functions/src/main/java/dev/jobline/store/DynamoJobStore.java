package dev.jobline.store;

import static dev.jobline.store.JobItem.ATTEMPTS;
import static dev.jobline.store.JobItem.CANCEL_REQUESTED;
import static dev.jobline.store.JobItem.ERROR;
import static dev.jobline.store.JobItem.EXPIRES_AT;
import static dev.jobline.store.JobItem.FINISHED_AT;
import static dev.jobline.store.JobItem.HEARTBEAT_AT;
import static dev.jobline.store.JobItem.INFLIGHT_SHARD;
import static dev.jobline.store.JobItem.LEASE_EXPIRES_AT;
import static dev.jobline.store.JobItem.LEASE_OWNER;
import static dev.jobline.store.JobItem.NEXT_ATTEMPT_AT;
import static dev.jobline.store.JobItem.PROGRESS;
import static dev.jobline.store.JobItem.RESULT;
import static dev.jobline.store.JobItem.STARTED_AT;
import static dev.jobline.store.JobItem.STATUS;
import static dev.jobline.store.JobItem.SWEEP_AT;
import static dev.jobline.store.JobItem.UPDATED_AT;
import static dev.jobline.store.JobItem.n;
import static dev.jobline.store.JobItem.s;
import static dev.jobline.store.JobItem.time;

import dev.jobline.job.Job;
import dev.jobline.job.JobError;
import dev.jobline.job.JobStatus;
import dev.jobline.job.Progress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/** {@link JobStore} on one DynamoDB table, following the conditional-write protocol of DESIGN.md. */
public final class DynamoJobStore implements JobStore {
    static final String IN_FLIGHT_INDEX = "inFlight";
    static final String TENANT_INDEX = "byTenant";

    private static final AttributeValue TRUE = AttributeValue.fromBool(true);

    private final DynamoDbClient dynamo;
    private final String table;
    private final int shards;
    private final Duration retention;
    private final Duration queuedStaleAfter;

    /**
     * @param shards           partitions of the in-flight index, so no one partition takes every write
     * @param retention        how long a finished job is kept before TTL removes it
     * @param queuedStaleAfter how long a QUEUED job may wait unclaimed before the sweeper sends it again
     */
    public DynamoJobStore(DynamoDbClient dynamo, String table, int shards, Duration retention, Duration queuedStaleAfter) {
        if (shards < 1) {
            throw new IllegalArgumentException("at least one in-flight shard is needed");
        }
        this.dynamo = dynamo;
        this.table = table;
        this.shards = shards;
        this.retention = retention;
        this.queuedStaleAfter = queuedStaleAfter;
    }

    public int shards() {
        return shards;
    }

    /** The in-flight index shard of a job: fixed by its id, spread evenly. */
    public int shardOf(String jobId) {
        return Math.floorMod(jobId.hashCode(), shards);
    }

    @Override
    public boolean create(Job job) {
        Map<String, AttributeValue> item = JobItem.toItem(job, shardOf(job.jobId()), job.createdAt().plus(queuedStaleAfter));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(jobId)"));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public Optional<Job> find(String jobId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                .key(Map.of(JobItem.JOB_ID, s(jobId)))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(JobItem.fromItem(item));
    }

    @Override
    public Optional<Job> claim(String jobId, Lease lease, Instant now) {
        return update(new ConditionalUpdate(table, jobId)
                .set(STATUS, s(JobStatus.RUNNING.name()))
                .increment(ATTEMPTS)
                .set(LEASE_OWNER, s(lease.owner()))
                .set(LEASE_EXPIRES_AT, time(lease.expiresAt()))
                .set(SWEEP_AT, time(lease.expiresAt()))
                .set(HEARTBEAT_AT, time(now))
                .setIfAbsent(STARTED_AT, time(now))
                .set(UPDATED_AT, time(now))
                .remove(NEXT_ATTEMPT_AT)
                .when("#attempts < #maxAttempts AND ((#status = :queued AND #cancelRequested <> :true)"
                                + " OR (#status = :running AND #leaseExpiresAt < :now))",
                        "queued", s(JobStatus.QUEUED.name()),
                        "running", s(JobStatus.RUNNING.name()),
                        "true", TRUE,
                        "now", time(now)));
    }

    @Override
    public Optional<Job> heartbeat(String jobId, Lease lease, Progress progress, Instant now) {
        ConditionalUpdate update = new ConditionalUpdate(table, jobId)
                .set(LEASE_EXPIRES_AT, time(lease.expiresAt()))
                .set(SWEEP_AT, time(lease.expiresAt()))
                .set(HEARTBEAT_AT, time(now))
                .set(UPDATED_AT, time(now));
        if (progress != null) {
            update.set(PROGRESS, JobItem.progress(progress));
        }
        return update(update.when("#status = :running AND #leaseOwner = :owner",
                "running", s(JobStatus.RUNNING.name()),
                "owner", s(lease.owner())));
    }

    @Override
    public boolean succeed(String jobId, String leaseOwner, String resultJson, Progress progress, Instant now) {
        ConditionalUpdate update = finish(jobId, JobStatus.SUCCEEDED, now);
        if (resultJson != null) {
            update.set(RESULT, s(resultJson));
        }
        if (progress != null) {
            update.set(PROGRESS, JobItem.progress(progress));
        }
        return underLease(update, leaseOwner);
    }

    @Override
    public boolean fail(String jobId, String leaseOwner, JobError error, Instant now) {
        return underLease(finish(jobId, JobStatus.FAILED, now).set(ERROR, JobItem.error(error)), leaseOwner);
    }

    @Override
    public boolean cancelRunning(String jobId, String leaseOwner, Instant now) {
        return underLease(finish(jobId, JobStatus.CANCELLED, now), leaseOwner);
    }

    @Override
    public boolean awaitRetry(String jobId, String leaseOwner, JobError error, Instant nextAttemptAt, Instant now) {
        return underLease(new ConditionalUpdate(table, jobId)
                .set(STATUS, s(JobStatus.QUEUED.name()))
                .set(ERROR, JobItem.error(error))
                .set(NEXT_ATTEMPT_AT, time(nextAttemptAt))
                .set(SWEEP_AT, time(nextAttemptAt.plus(queuedStaleAfter)))
                .set(UPDATED_AT, time(now))
                .remove(LEASE_OWNER, LEASE_EXPIRES_AT), leaseOwner);
    }

    @Override
    public boolean cancelQueued(String jobId, Instant now) {
        return update(finish(jobId, JobStatus.CANCELLED, now)
                .when("#status = :queued AND #cancelRequested = :true",
                        "queued", s(JobStatus.QUEUED.name()),
                        "true", TRUE)).isPresent();
    }

    @Override
    public DuePage findDue(int shard, Instant now, int limit, String cursor) {
        QueryRequest.Builder query = QueryRequest.builder()
                .tableName(table)
                .indexName(IN_FLIGHT_INDEX)
                .keyConditionExpression("#shard = :shard AND #sweepAt < :now")
                .expressionAttributeNames(Map.of("#shard", INFLIGHT_SHARD, "#sweepAt", SWEEP_AT))
                .expressionAttributeValues(Map.of(":shard", s(Integer.toString(shard)), ":now", time(now)))
                .limit(limit);
        if (cursor != null) {
            query.exclusiveStartKey(DueCursor.decode(cursor, shard));
        }
        QueryResponse response = dynamo.query(query.build());
        List<DueJob> jobs = new ArrayList<>(response.count());
        for (Map<String, AttributeValue> item : response.items()) {
            jobs.add(JobItem.dueFromItem(item));
        }
        String next = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                ? DueCursor.encode(response.lastEvaluatedKey())
                : null;
        return new DuePage(jobs, next, response.count());
    }

    @Override
    public boolean markResent(DueJob job, Instant nextSweepAt, Instant now) {
        return update(new ConditionalUpdate(table, job.jobId())
                .set(SWEEP_AT, time(nextSweepAt))
                .set(UPDATED_AT, time(now))
                .when("#version = :version AND #status = :queued",
                        "version", n(job.version()),
                        "queued", s(JobStatus.QUEUED.name()))).isPresent();
    }

    @Override
    public boolean requeueExpired(DueJob job, JobError error, Instant now) {
        return update(new ConditionalUpdate(table, job.jobId())
                .set(STATUS, s(JobStatus.QUEUED.name()))
                .set(ERROR, JobItem.error(error))
                .set(SWEEP_AT, time(now.plus(queuedStaleAfter)))
                .set(UPDATED_AT, time(now))
                .remove(LEASE_OWNER, LEASE_EXPIRES_AT)
                .when(expiredLease(), expiredLeaseValues(job, now))).isPresent();
    }

    @Override
    public boolean failExpired(DueJob job, JobError error, Instant now) {
        return update(finish(job.jobId(), JobStatus.FAILED, now)
                .set(ERROR, JobItem.error(error))
                .when(expiredLease(), expiredLeaseValues(job, now))).isPresent();
    }

    @Override
    public boolean failDeadLettered(String jobId, JobError error, Instant now) {
        return update(finish(jobId, JobStatus.FAILED, now)
                .set(ERROR, JobItem.error(error))
                .when("#status IN (:queued, :running)",
                        "queued", s(JobStatus.QUEUED.name()),
                        "running", s(JobStatus.RUNNING.name()))).isPresent();
    }

    @Override
    public void keepDeadLetter(DeadLetter letter) {
        Map<String, AttributeValue> item = DeadLetterItem.toItem(letter, letter.receivedAt().plus(retention));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(jobId)"));
        } catch (ConditionalCheckFailedException e) {
            // kept already by an earlier delivery of the same message
        }
    }

    @Override
    public Optional<DeadLetter> findDeadLetter(String messageId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                .key(Map.of(JobItem.JOB_ID, s("dlq#" + messageId)))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(DeadLetterItem.fromItem(item));
    }

    private static String expiredLease() {
        return "#version = :version AND #status = :running AND #leaseExpiresAt < :now";
    }

    private static Object[] expiredLeaseValues(DueJob job, Instant now) {
        return new Object[] {"version", n(job.version()), "running", s(JobStatus.RUNNING.name()), "now", time(now)};
    }

    /** A terminal write: leaves the in-flight index and starts the retention clock. */
    private ConditionalUpdate finish(String jobId, JobStatus status, Instant now) {
        return new ConditionalUpdate(table, jobId)
                .set(STATUS, s(status.name()))
                .set(FINISHED_AT, time(now))
                .set(UPDATED_AT, time(now))
                .set(EXPIRES_AT, n(now.plus(retention).getEpochSecond()))
                .remove(LEASE_OWNER, LEASE_EXPIRES_AT, INFLIGHT_SHARD, SWEEP_AT, NEXT_ATTEMPT_AT);
    }

    private boolean underLease(ConditionalUpdate update, String leaseOwner) {
        return update(update.when("#status = :running AND #leaseOwner = :owner",
                "running", s(JobStatus.RUNNING.name()),
                "owner", s(leaseOwner))).isPresent();
    }

    private Optional<Job> update(ConditionalUpdate update) {
        try {
            return Optional.of(JobItem.fromItem(dynamo.updateItem(update.request()).attributes()));
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Job> requestCancel(String jobId, Instant now) {
        return update(new ConditionalUpdate(table, jobId)
                .set(CANCEL_REQUESTED, TRUE)
                .set(UPDATED_AT, time(now))
                .when("#status IN (:queued, :running)",
                        "queued", s(JobStatus.QUEUED.name()),
                        "running", s(JobStatus.RUNNING.name())));
    }
}
