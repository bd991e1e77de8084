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

import dev.jobline.cost.JobCost;
import dev.jobline.job.Job;
import dev.jobline.job.JobError;
import dev.jobline.job.JobStatus;
import dev.jobline.job.Progress;
import dev.jobline.job.WebhookDelivery;
import dev.jobline.queue.SqsLimits;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/** {@link JobStore} on one DynamoDB table, following the conditional-write protocol of DESIGN.md. */
public final class DynamoJobStore implements JobStore {
    static final String IN_FLIGHT_INDEX = "inFlight";
    static final String TENANT_INDEX = "byTenant";
    static final String FAILED_INDEX = "failed";
    private static final int BATCH_GET_LIMIT = 100;
    /** Keys read at a time when a list is filtered: most may not match. */
    private static final int LIST_FILTER_PAGE = 50;
    private static final String CLAIMED_FROM = "claimedFrom";
    /** Keys read per tenant query of a merged list, and the most keys one merged page examines. */
    private static final int MERGE_PAGE = 25;
    private static final int MERGE_EXAMINED = 500;
    /** How early a message may come back for a retry and still claim it: SQS and Lambda clocks differ slightly. */
    private static final Duration EARLY_ARRIVAL = Duration.ofSeconds(1);
    /** A far-off job is sent this long before its runAt (within SQS's delay, a sweep period to spare), delayed to it. */
    public static final Duration SEND_AHEAD = Duration.ofMinutes(13);

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

    @Override
    public int shards() {
        return shards;
    }

    /** The in-flight index shard of a job: fixed by its id, spread evenly. */
    public int shardOf(String jobId) {
        return Math.floorMod(jobId.hashCode(), shards);
    }

    @Override
    public boolean create(Job job) {
        Map<String, AttributeValue> item = JobItem.toItem(job, shardOf(job.jobId()), firstSweep(job));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(jobId)"));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /**
     * When the sweeper should first look at a new job, or null when it never needs to: a QUEUED job due within SQS's
     * longest delay is sent before it is written, and from then on a message carries it (crashes come back through
     * visibility, poison through the dead-letter queue), so it stays out of the in-flight index. In it: a job due
     * further away than a message can be delayed (the sweeper sends it {@link #SEND_AHEAD} before its runAt, with the
     * rest as the message's delay, so it starts on time), and a WAITING job (its parents' ends release it; the sweeper
     * looks again if they were lost).
     */
    private Instant firstSweep(Job job) {
        if (job.status() == JobStatus.WAITING) {
            return job.createdAt().plus(queuedStaleAfter);
        }
        if (job.runAt() != null && job.runAt().isAfter(job.createdAt().plus(SqsLimits.MAX_DELAY))) {
            return job.runAt().minus(SEND_AHEAD);
        }
        return null;
    }

    @Override
    public Optional<Job> find(String jobId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                .key(Map.of(JobItem.JOB_ID, s(jobId)))
                .consistentRead(true)).item();
        // the table's other items (a tenant's counts, the tenants' list, the paused types) are no job
        return item == null || !item.containsKey(STATUS) || !item.containsKey(JobItem.TENANT_ID)
                ? Optional.empty() : Optional.of(JobItem.fromItem(item));
    }

    @Override
    public List<Job> findAll(java.util.Collection<String> jobIds) {
        List<Job> jobs = new ArrayList<>();
        for (Map<String, AttributeValue> item : getAll(List.copyOf(new java.util.LinkedHashSet<>(jobIds)), true)) {
            if (item.containsKey(STATUS) && item.containsKey(JobItem.TENANT_ID)) {
                jobs.add(JobItem.fromItem(item));
            }
        }
        return jobs;
    }

    @Override
    public Optional<Job> addDependent(String parentId, String tenantId, String childId) {
        // the tenant's condition also refuses an id that names no item (the update would otherwise create one)
        return update(new ConditionalUpdate(table, parentId)
                .addToSet(JobItem.DEPENDENTS, AttributeValue.fromSs(List.of(childId)))
                .when("#tenantId = :tenant AND attribute_exists(#status)"
                                + " AND (attribute_not_exists(#dependents) OR size(#dependents) < :most)",
                        "tenant", s(tenantId),
                        "most", n(Job.MAX_DEPENDENTS)));
    }

    @Override
    public Optional<Job> release(String jobId, boolean flowCommit, Instant now) {
        ConditionalUpdate update = new ConditionalUpdate(table, jobId)
                .set(STATUS, s(JobStatus.QUEUED.name()))
                .set(JobItem.QUEUED_AT, time(now))
                .set(UPDATED_AT, time(now))
                // its message was sent before this write: from now on the queue holds it
                .remove(JobItem.WAITING_FOR, JobItem.RESENDS, INFLIGHT_SHARD, SWEEP_AT);
        // a flow's pending job is the flow's submission's to release, once the whole flow is stored
        return update(flowCommit
                ? update.when("#status = :waiting", "waiting", s(JobStatus.WAITING.name()))
                : update.when("#status = :waiting AND attribute_not_exists(#waitingFor)", "waiting", s(JobStatus.WAITING.name())));
    }

    @Override
    public Optional<Job> cancelWaiting(String jobId, String tenantId, JobError error, Instant now) {
        ConditionalUpdate update = finish(jobId, JobStatus.CANCELLED, now).remove(JobItem.WAITING_FOR);
        if (error != null) {
            update.set(ERROR, JobItem.error(error));
        } else {
            update.set(CANCEL_REQUESTED, TRUE);
        }
        return update(update.when("#tenantId = :tenant AND #status = :waiting",
                "tenant", s(tenantId),
                "waiting", s(JobStatus.WAITING.name())));
    }

    @Override
    public boolean endFlowPending(String jobId, Instant now) {
        return update(new ConditionalUpdate(table, jobId)
                .remove(JobItem.WAITING_FOR)
                .when("#status = :waiting AND #waitingFor = :flow",
                        "waiting", s(JobStatus.WAITING.name()),
                        "flow", s(Job.FLOW_PENDING))).isPresent();
    }

    @Override
    public boolean deferWaitingSweep(DueJob job, Instant sweepAt) {
        return update(new ConditionalUpdate(table, job.jobId())
                .set(SWEEP_AT, time(sweepAt))
                .add(JobItem.RESENDS, n(1))
                .when("#version = :version AND #status = :waiting",
                        "version", n(job.version()),
                        "waiting", s(JobStatus.WAITING.name()))).isPresent();
    }

    @Override
    public Optional<Claim> claim(String jobId, Lease lease, Instant now) {
        return update(new ConditionalUpdate(table, jobId)
                // an expression reads the item as it was, so this keeps the status the claim moved from
                .copy(CLAIMED_FROM, STATUS)
                .set(STATUS, s(JobStatus.RUNNING.name()))
                .increment(ATTEMPTS)
                .set(LEASE_OWNER, s(lease.owner()))
                .set(LEASE_EXPIRES_AT, time(lease.expiresAt()))
                // sweepAt stays: moving the in-flight index's sort key would cost that index two writes;
                // a crashed attempt's message comes back when the lease ends (the queue's visibility
                // timeout is the lease), and the sweeper is the backstop when it does not
                .set(HEARTBEAT_AT, time(now))
                .setIfAbsent(STARTED_AT, time(now))
                .set(UPDATED_AT, time(now))
                .remove(NEXT_ATTEMPT_AT)
                .remove(JobItem.WAITING_FOR)
                // a QUEUED job waiting out a retry's backoff is not claimed early by a duplicate or replacement message
                .when("#attempts < #maxAttempts AND ((#status = :queued AND #cancelRequested <> :true"
                                + " AND (attribute_not_exists(#nextAttemptAt) OR #nextAttemptAt <= :due))"
                                + " OR (#status = :running AND #leaseExpiresAt < :now))",
                        "queued", s(JobStatus.QUEUED.name()),
                        "running", s(JobStatus.RUNNING.name()),
                        "true", TRUE,
                        "due", time(now.plus(EARLY_ARRIVAL)),
                        "now", time(now)), item -> new Claim(JobItem.fromItem(item), JobStatus.valueOf(item.get(CLAIMED_FROM).s()),
                        JobItem.queuedAt(item)));
    }

    @Override
    public Optional<Job> giveBack(Job claimed, Lease lease, Instant now) {
        ConditionalUpdate update = new ConditionalUpdate(table, claimed.jobId())
                .set(STATUS, s(JobStatus.QUEUED.name()))
                .add(ATTEMPTS, n(-1))
                .set(UPDATED_AT, time(now))
                .remove(LEASE_OWNER, LEASE_EXPIRES_AT);
        if (claimed.attempts() <= 1) {
            update.remove(STARTED_AT);
        }
        return update(update.when("#status = :running AND #leaseOwner = :owner",
                "running", s(JobStatus.RUNNING.name()),
                "owner", s(lease.owner())));
    }

    @Override
    public boolean markWaiting(String jobId, String reason, Instant now) {
        // updatedAt stays: waiting is not a change of the job's own
        return update(new ConditionalUpdate(table, jobId)
                .set(JobItem.WAITING_FOR, s(reason))
                .when("#status = :queued AND (attribute_not_exists(#waitingFor) OR #waitingFor <> :reason)",
                        "queued", s(JobStatus.QUEUED.name()),
                        "reason", s(reason))).isPresent();
    }

    @Override
    public Optional<Job> heartbeat(String jobId, Lease lease, Progress progress, Instant now) {
        ConditionalUpdate update = new ConditionalUpdate(table, jobId)
                .set(LEASE_EXPIRES_AT, time(lease.expiresAt()))
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
    public Optional<Job> succeed(String jobId, String leaseOwner, String resultJson, Progress progress, JobCost attempt,
                                 Instant now) {
        ConditionalUpdate update = addCost(finish(jobId, JobStatus.SUCCEEDED, now), attempt);
        if (resultJson != null) {
            update.set(RESULT, s(resultJson));
        }
        if (progress != null) {
            update.set(PROGRESS, JobItem.progress(progress));
        }
        return underLease(update.set(JobItem.ENDED_BY, s(leaseOwner)), leaseOwner);
    }

    @Override
    public Optional<Job> fail(String jobId, String leaseOwner, JobError error, JobCost attempt, Instant now) {
        return underLease(addCost(failure(jobId, error, now), attempt).set(JobItem.ENDED_BY, s(leaseOwner)), leaseOwner);
    }

    @Override
    public Optional<Job> cancelRunning(String jobId, String leaseOwner, JobCost attempt, Instant now) {
        return underLease(addCost(finish(jobId, JobStatus.CANCELLED, now), attempt).set(JobItem.ENDED_BY, s(leaseOwner)), leaseOwner);
    }

    /** Adds one attempt's cost to the job's, in the write that ends the attempt. */
    private static ConditionalUpdate addCost(ConditionalUpdate update, JobCost attempt) {
        if (attempt == null) {
            return update;
        }
        return update.add(JobItem.COST_COMPUTE_MILLIS, n(attempt.computeMillis()))
                .add(JobItem.COST_GB_SECONDS, JobItem.decimal(attempt.gbSeconds()))
                .add(JobItem.COST_REQUESTS, JobItem.decimal(attempt.requests()))
                .add(JobItem.COST_DOLLARS, JobItem.decimal(attempt.dollars()));
    }

    @Override
    public Optional<Job> awaitRetry(String jobId, String leaseOwner, JobError error, Instant nextAttemptAt, JobCost attempt,
                                    Instant now) {
        return underLease(addCost(new ConditionalUpdate(table, jobId)
                .set(STATUS, s(JobStatus.QUEUED.name()))
                .set(ERROR, JobItem.error(error))
                .set(NEXT_ATTEMPT_AT, time(nextAttemptAt))
                .set(JobItem.QUEUED_AT, time(nextAttemptAt))
                .set(UPDATED_AT, time(now))
                // its message, hidden for the backoff, brings it back (an item written before the queue held every
                // job leaves the in-flight index here)
                .remove(LEASE_OWNER, LEASE_EXPIRES_AT, INFLIGHT_SHARD, SWEEP_AT), attempt), leaseOwner);
    }

    @Override
    public Optional<Job> recountEnd(String jobId, String endedBy, Instant now) {
        // no one can take them up again once the attempt's name is gone
        return update(new ConditionalUpdate(table, jobId)
                .remove(JobItem.ENDED_BY)
                .when("#endedBy = :endedBy", "endedBy", s(endedBy)));
    }

    @Override
    public Optional<Job> cancelQueued(String jobId, Instant now) {
        return update(finish(jobId, JobStatus.CANCELLED, now)
                .when("#status = :queued AND #cancelRequested = :true",
                        "queued", s(JobStatus.QUEUED.name()),
                        "true", TRUE));
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
        // the index holds keys only: read the due jobs themselves, consistently, to decide on them
        List<Map<String, AttributeValue>> items = getAll(jobIds(response.items()), true);
        List<DueJob> jobs = new ArrayList<>(items.size());
        for (Map<String, AttributeValue> item : items) {
            // an index lags its table: the job may have left it, or a sweep just moved its sweepAt on
            // (without this, a lagging entry would have a job re-sent twice)
            if (isJob(item) && item.containsKey(INFLIGHT_SHARD) && item.containsKey(SWEEP_AT)
                    && Long.parseLong(item.get(SWEEP_AT).n()) < now.toEpochMilli()) {
                jobs.add(JobItem.dueFromItem(item));
            }
        }
        String next = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                ? DueCursor.encode(response.lastEvaluatedKey())
                : null;
        return new DuePage(jobs, next, response.count() + items.size());
    }

    @Override
    public boolean deferSweep(DueJob job, Instant sweepAt) {
        return update(new ConditionalUpdate(table, job.jobId())
                .set(SWEEP_AT, time(sweepAt))
                .when("#status = :running AND attribute_exists(#inflightShard)",
                        "running", s(JobStatus.RUNNING.name()))).isPresent();
    }

    @Override
    public boolean handedToQueue(DueJob job, Instant now) {
        return update(new ConditionalUpdate(table, job.jobId())
                .set(UPDATED_AT, time(now))
                .remove(INFLIGHT_SHARD, SWEEP_AT, JobItem.RESENDS)
                .when("#version = :version AND #status = :queued",
                        "version", n(job.version()),
                        "queued", s(JobStatus.QUEUED.name()))).isPresent();
    }

    @Override
    public Optional<Job> requeueExpired(DueJob job, JobError error, Instant now) {
        return update(new ConditionalUpdate(table, job.jobId())
                .set(STATUS, s(JobStatus.QUEUED.name()))
                .set(ERROR, JobItem.error(error))
                .set(JobItem.QUEUED_AT, time(now))
                .set(UPDATED_AT, time(now))
                // a message carries it from here (the one that found it, or the sweeper's, sent before this write)
                .remove(LEASE_OWNER, LEASE_EXPIRES_AT, INFLIGHT_SHARD, SWEEP_AT)
                .when(expiredLease(), expiredLeaseValues(job, now)));
    }

    @Override
    public Optional<Job> failExpired(DueJob job, JobError error, Instant now) {
        return update(failure(job.jobId(), error, now)
                .when(expiredLease(), expiredLeaseValues(job, now)));
    }

    @Override
    public Optional<Job> failDeadLettered(String jobId, JobStatus from, JobError error, Instant now) {
        // never a job that has ended, nor one that an attempt is running under a live lease
        if (from == JobStatus.RUNNING) {
            return update(failure(jobId, error, now)
                    .when("#status = :running AND #leaseExpiresAt < :now",
                            "running", s(JobStatus.RUNNING.name()),
                            "now", time(now)));
        }
        return update(failure(jobId, error, now).when("#status = :from", "from", s(from.name())));
    }

    @Override
    public boolean webhookQueued(String jobId, Instant finishedAt) {
        return update(new ConditionalUpdate(table, jobId)
                .set(JobItem.WEBHOOK, JobItem.webhook(new WebhookDelivery(WebhookDelivery.PENDING, 0, null, null, null)))
                .when("#finishedAt = :finishedAt AND attribute_not_exists(#webhook)",
                        "finishedAt", time(finishedAt))).isPresent();
    }

    @Override
    public boolean recordWebhook(String jobId, Instant finishedAt, int previousAttempts, WebhookDelivery delivery) {
        // the attempt count is the webhook's own version: two deliveries of one message cannot both record
        String noneSince = previousAttempts == 0
                ? "(attribute_not_exists(#webhook) OR #webhook.#attempts = :previous)"
                : "#webhook.#attempts = :previous";
        return update(new ConditionalUpdate(table, jobId)
                .set(JobItem.WEBHOOK, JobItem.webhook(delivery))
                .when("#finishedAt = :finishedAt AND " + noneSince,
                        "finishedAt", time(finishedAt),
                        "previous", n(previousAttempts))).isPresent();
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

    /** A write to FAILED: also enters the sparse failed index, which admin redrive reads. */
    private ConditionalUpdate failure(String jobId, JobError error, Instant now) {
        return finish(jobId, JobStatus.FAILED, now)
                .set(ERROR, JobItem.error(error))
                .set(JobItem.FAILED_SHARD, s(Integer.toString(shardOf(jobId))))
                .set(JobItem.FAILED_AT, time(now));
    }

    /** A terminal write: leaves the in-flight index and starts the retention clock. */
    private ConditionalUpdate finish(String jobId, JobStatus status, Instant now) {
        return new ConditionalUpdate(table, jobId)
                .set(STATUS, s(status.name()))
                .set(FINISHED_AT, time(now))
                .set(UPDATED_AT, time(now))
                .set(EXPIRES_AT, n(now.plus(retention).getEpochSecond()))
                .remove(LEASE_OWNER, LEASE_EXPIRES_AT, INFLIGHT_SHARD, SWEEP_AT, NEXT_ATTEMPT_AT, JobItem.QUEUED_AT,
                        JobItem.WEBHOOK, CLAIMED_FROM, JobItem.RESENDS);
    }

    private Optional<Job> underLease(ConditionalUpdate update, String leaseOwner) {
        return update(update.when("#status = :running AND #leaseOwner = :owner",
                "running", s(JobStatus.RUNNING.name()),
                "owner", s(leaseOwner)));
    }

    private Optional<Job> update(ConditionalUpdate update) {
        return update(update, JobItem::fromItem);
    }

    private <T> Optional<T> update(ConditionalUpdate update, java.util.function.Function<Map<String, AttributeValue>, T> read) {
        try {
            return Optional.of(read.apply(dynamo.updateItem(update.request()).attributes()));
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Job> requestCancel(String jobId, String tenantId, Instant now) {
        return update(new ConditionalUpdate(table, jobId)
                .set(CANCEL_REQUESTED, TRUE)
                .set(UPDATED_AT, time(now))
                .when("#tenantId = :tenant AND #status IN (:queued, :running)",
                        "tenant", s(tenantId),
                        "queued", s(JobStatus.QUEUED.name()),
                        "running", s(JobStatus.RUNNING.name())));
    }

    @Override
    public Optional<Job> cancelQueuedNow(String jobId, String tenantId, Instant now) {
        return update(finish(jobId, JobStatus.CANCELLED, now)
                .set(CANCEL_REQUESTED, TRUE)
                .when("#tenantId = :tenant AND #status = :queued",
                        "tenant", s(tenantId),
                        "queued", s(JobStatus.QUEUED.name())));
    }

    @Override
    public Optional<Job> retry(String jobId, String tenantId, JobStatus from, long version, Instant keyHeldUntil, Instant now) {
        ConditionalUpdate update = new ConditionalUpdate(table, jobId);
        if (keyHeldUntil != null) {
            update.set(JobItem.KEY_HELD_UNTIL, time(keyHeldUntil));
        }
        return update(update
                .set(STATUS, s(JobStatus.QUEUED.name()))
                .set(ATTEMPTS, n(0))
                .set(CANCEL_REQUESTED, AttributeValue.fromBool(false))
                .set(JobItem.QUEUED_AT, time(now))
                .set(UPDATED_AT, time(now))
                .remove(ERROR, RESULT, FINISHED_AT, EXPIRES_AT, NEXT_ATTEMPT_AT, PROGRESS, JobItem.RUN_AT,
                        JobItem.FAILED_SHARD, JobItem.FAILED_AT, JobItem.WEBHOOK, JobItem.RESENDS, JobItem.ENDED_BY)
                // on the version read: its message, sent before this write, names the version it makes
                .when("#tenantId = :tenant AND #status = :from AND #version = :version",
                        "tenant", s(tenantId),
                        "from", s(from.name()),
                        "version", n(version)));
    }

    @Override
    public boolean replaceFinished(Job job, Instant cutoff) {
        Map<String, AttributeValue> item = JobItem.toItem(job, shardOf(job.jobId()), firstSweep(job));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression("#createdAt < :cutoff AND #status IN (:succeeded, :failed, :cancelled)")
                    .expressionAttributeNames(Map.of("#createdAt", JobItem.CREATED_AT, "#status", STATUS))
                    .expressionAttributeValues(Map.of(
                            ":cutoff", time(cutoff),
                            ":succeeded", s(JobStatus.SUCCEEDED.name()),
                            ":failed", s(JobStatus.FAILED.name()),
                            ":cancelled", s(JobStatus.CANCELLED.name()))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public JobPage list(String tenantId, JobFilter filter, int limit, String cursor) {
        boolean filtered = !filter.statuses().isEmpty() || filter.type() != null || filter.createdAfter() != null
                || filter.createdBefore() != null;
        Map<String, AttributeValue> startKey = cursor == null ? null : TenantCursor.decode(cursor, tenantId);
        List<Job> jobs = new ArrayList<>();
        // the index holds keys only (so only the submit writes to it): read a page of keys, then the
        // items; a filter applies to the items, so read on until the page is full or the index ends
        for (int reads = 0; reads < 10 && jobs.size() < limit; reads++) {
            QueryRequest.Builder query = tenantKeys(tenantId, lowerKey(filter), upperKey(filter))
                    .limit(filtered ? Math.max(limit - jobs.size(), LIST_FILTER_PAGE) : limit - jobs.size());
            if (startKey != null) {
                query.exclusiveStartKey(startKey);
            }
            QueryResponse response = dynamo.query(query.build());
            Map<String, Map<String, AttributeValue>> byId = new HashMap<>();
            for (Map<String, AttributeValue> item : getAll(jobIds(response.items()), false)) {
                byId.put(item.get(JobItem.JOB_ID).s(), item);
            }
            startKey = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
            for (Map<String, AttributeValue> key : response.items()) {
                Map<String, AttributeValue> item = byId.get(key.get(JobItem.JOB_ID).s());
                // missing: removed (TTL) between the two reads
                if (item != null) {
                    Job job = JobItem.fromItem(item);
                    if (filter.matches(job)) {
                        jobs.add(job);
                    }
                }
                if (jobs.size() == limit) {
                    // stopped inside the page: the next page starts after the last key used
                    startKey = key == response.items().get(response.items().size() - 1) ? startKey : key;
                    break;
                }
            }
            if (startKey == null) {
                break;
            }
        }
        return new JobPage(jobs, startKey == null ? null : TenantCursor.encode(startKey));
    }

    /**
     * The tenant index's query for one tenant, newest first, with the created range as its sort key condition. The
     * sort key is createdAt#jobId as text, whose fraction of a second varies in length: the bounds are whole seconds
     * around the range, and the items' createdAt decides exactly ({@link JobFilter#matches}).
     */
    private QueryRequest.Builder tenantKeys(String tenantId, String lower, String upper) {
        Map<String, String> names = new HashMap<>(Map.of("#tenantId", JobItem.TENANT_ID));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":tenant", s(tenantId)));
        String condition = "#tenantId = :tenant";
        if (lower != null || upper != null) {
            names.put("#created", JobItem.CREATED_KEY);
            if (lower != null) {
                values.put(":lower", s(lower));
            }
            if (upper != null) {
                values.put(":upper", s(upper));
            }
            condition += lower != null && upper != null ? " AND #created BETWEEN :lower AND :upper"
                    : lower != null ? " AND #created >= :lower" : " AND #created <= :upper";
        }
        return QueryRequest.builder()
                .tableName(table)
                .indexName(TENANT_INDEX)
                .keyConditionExpression(condition)
                .expressionAttributeNames(names)
                .expressionAttributeValues(values)
                .scanIndexForward(false);
    }

    private static final DateTimeFormatter WHOLE_SECOND =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    /** A sort key at or before every job created at or after the filter's start: the start's whole second. */
    private static String lowerKey(JobFilter filter) {
        return filter.createdAfter() == null ? null : WHOLE_SECOND.format(filter.createdAfter());
    }

    /** A sort key after every job created before the filter's end (keys of its second are longer, so after it). */
    private static String upperKey(JobFilter filter) {
        if (filter.createdBefore() == null) {
            return null;
        }
        Instant end = filter.createdBefore();
        Instant ceiling = end.getNano() == 0 ? end : end.plusSeconds(1).minusNanos(end.getNano());
        return WHOLE_SECOND.format(ceiling);
    }

    @Override
    public JobPage listAcross(List<String> tenantIds, JobFilter filter, int limit, String cursor) {
        String after = cursor == null ? null : MergedCursor.decode(cursor);
        String upper = upperKey(filter);
        if (after != null && (upper == null || after.compareTo(upper) < 0)) {
            upper = after;   // inclusive: the cursor's own key is skipped by TenantKeys
        }
        PriorityQueue<TenantKeys> heads = new PriorityQueue<>(Comparator.comparing(TenantKeys::head).reversed());
        for (String tenantId : tenantIds) {
            TenantKeys keys = new TenantKeys(tenantId, lowerKey(filter), upper, after);
            if (keys.head() != null) {
                heads.add(keys);
            }
        }
        List<Job> jobs = new ArrayList<>();
        String last = null;
        int examined = 0;
        boolean stoppedInside = false;
        while (jobs.size() < limit && !heads.isEmpty() && examined < MERGE_EXAMINED) {
            List<String[]> batch = new ArrayList<>();
            while (batch.size() < MERGE_PAGE && !heads.isEmpty()) {
                TenantKeys newest = heads.poll();
                batch.add(newest.take());
                if (newest.head() != null) {
                    heads.add(newest);
                }
            }
            Map<String, Map<String, AttributeValue>> byId = new HashMap<>();
            for (Map<String, AttributeValue> item : getAll(batch.stream().map(key -> key[1]).toList(), false)) {
                byId.put(item.get(JobItem.JOB_ID).s(), item);
            }
            for (int i = 0; i < batch.size(); i++) {
                String[] key = batch.get(i);
                examined++;
                last = key[0];
                Map<String, AttributeValue> item = byId.get(key[1]);
                if (item != null) {
                    Job job = JobItem.fromItem(item);
                    if (filter.matches(job)) {
                        jobs.add(job);
                    }
                }
                if (jobs.size() == limit) {
                    stoppedInside = i < batch.size() - 1;
                    break;
                }
            }
        }
        boolean more = stoppedInside || !heads.isEmpty();
        return new JobPage(jobs, more && last != null ? MergedCursor.encode(last) : null);
    }

    /** One tenant's index keys, newest first, read {@value #MERGE_PAGE} at a time as the merge takes them. */
    private final class TenantKeys {
        private final String tenantId;
        private final String lower;
        private final String upper;
        private final String skip;
        private final ArrayDeque<String[]> buffer = new ArrayDeque<>();
        private Map<String, AttributeValue> startKey;
        private boolean exhausted;

        TenantKeys(String tenantId, String lower, String upper, String skip) {
            this.tenantId = tenantId;
            this.lower = lower;
            this.upper = upper;
            this.skip = skip;
        }

        /** The newest key not taken yet (its createdKey), or null when there is none. */
        String head() {
            while (buffer.isEmpty() && !exhausted) {
                QueryRequest.Builder query = tenantKeys(tenantId, lower, upper).limit(MERGE_PAGE);
                if (startKey != null) {
                    query.exclusiveStartKey(startKey);
                }
                QueryResponse response = dynamo.query(query.build());
                for (Map<String, AttributeValue> key : response.items()) {
                    String created = key.get(JobItem.CREATED_KEY).s();
                    if (!created.equals(skip)) {
                        buffer.add(new String[] {created, key.get(JobItem.JOB_ID).s()});
                    }
                }
                startKey = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
                exhausted = startKey == null;
            }
            return buffer.isEmpty() ? null : buffer.peek()[0];
        }

        /** Takes the head: {createdKey, jobId}. */
        String[] take() {
            return buffer.poll();
        }
    }

    @Override
    public Optional<Revision> revision(String jobId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                .key(Map.of(JobItem.JOB_ID, s(jobId)))
                // a projection saves the transfer, not the read capacity (which counts the whole item)
                .projectionExpression("#version, #status")
                .expressionAttributeNames(Map.of("#version", JobItem.VERSION, "#status", STATUS))
                .consistentRead(true)).item();
        if (item == null || item.isEmpty() || !item.containsKey(STATUS)) {
            return Optional.empty();
        }
        return Optional.of(new Revision(Long.parseLong(item.get(JobItem.VERSION).n()), JobStatus.valueOf(item.get(STATUS).s())));
    }

    @Override
    public DeadLetterPage keptDeadLetters(int limit, String cursor) {
        QueryRequest.Builder query = QueryRequest.builder()
                .tableName(table)
                .indexName(FAILED_INDEX)
                .keyConditionExpression("#shard = :shard")
                .expressionAttributeNames(Map.of("#shard", JobItem.FAILED_SHARD))
                .expressionAttributeValues(Map.of(":shard", s(DeadLetterItem.INDEX_SHARD)))
                .scanIndexForward(false)
                .limit(limit);
        if (cursor != null) {
            query.exclusiveStartKey(FailedCursor.decode(cursor, DeadLetterItem.INDEX_SHARD));
        }
        QueryResponse response = dynamo.query(query.build());
        Map<String, DeadLetter> byKey = new HashMap<>();
        for (Map<String, AttributeValue> item : getAll(jobIds(response.items()), false)) {
            byKey.put(item.get(JobItem.JOB_ID).s(), DeadLetterItem.fromItem(item));
        }
        List<DeadLetter> letters = new ArrayList<>();
        for (Map<String, AttributeValue> key : response.items()) {
            DeadLetter letter = byKey.get(key.get(JobItem.JOB_ID).s());
            if (letter != null) {
                letters.add(letter);
            }
        }
        String next = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                ? FailedCursor.encode(response.lastEvaluatedKey()) : null;
        return new DeadLetterPage(letters, next);
    }

    static List<String> jobIds(List<Map<String, AttributeValue>> keys) {
        List<String> ids = new ArrayList<>(keys.size());
        for (Map<String, AttributeValue> key : keys) {
            ids.add(key.get(JobItem.JOB_ID).s());
        }
        return ids;
    }

    /**
     * The items with these ids, 100 to a BatchGetItem; what DynamoDB leaves unprocessed is asked for
     * again. Items that do not exist are left out; the order is not the ids' order.
     */
    List<Map<String, AttributeValue>> getAll(List<String> jobIds, boolean consistent) {
        List<Map<String, AttributeValue>> items = new ArrayList<>(jobIds.size());
        for (int from = 0; from < jobIds.size(); from += BATCH_GET_LIMIT) {
            List<Map<String, AttributeValue>> keys = new ArrayList<>();
            for (String jobId : jobIds.subList(from, Math.min(jobIds.size(), from + BATCH_GET_LIMIT))) {
                keys.add(Map.of(JobItem.JOB_ID, s(jobId)));
            }
            Map<String, KeysAndAttributes> request = Map.of(table,
                    KeysAndAttributes.builder().keys(keys).consistentRead(consistent).build());
            for (int round = 0; !request.isEmpty(); round++) {
                if (round > 0) {
                    pause(round);
                }
                Map<String, KeysAndAttributes> ask = request;
                BatchGetItemResponse response = dynamo.batchGetItem(b -> b.requestItems(ask));
                items.addAll(response.responses().getOrDefault(table, List.of()));
                request = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
            }
        }
        return items;
    }

    /** Backs off before asking again for unprocessed keys (the table is throttling). */
    private static void pause(int round) {
        try {
            Thread.sleep(Math.min(1_000, 25L << Math.min(round, 6)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading jobs", e);
        }
    }

    @Override
    public FailedPage findFailed(int shard, Instant from, Instant to, int limit, String cursor) {
        QueryRequest.Builder query = QueryRequest.builder()
                .tableName(table)
                .indexName(FAILED_INDEX)
                .keyConditionExpression("#shard = :shard AND #failedAt BETWEEN :from AND :to")
                .expressionAttributeNames(Map.of("#shard", JobItem.FAILED_SHARD, "#failedAt", JobItem.FAILED_AT))
                .expressionAttributeValues(Map.of(":shard", s(Integer.toString(shard)), ":from", time(from), ":to", time(to)))
                .limit(limit);
        if (cursor != null) {
            query.exclusiveStartKey(FailedCursor.decode(cursor, shard));
        }
        QueryResponse response = dynamo.query(query.build());
        List<FailedJob> jobs = new ArrayList<>();
        for (Map<String, AttributeValue> item : response.items()) {
            Job job = JobItem.fromItem(withDefaults(item));
            jobs.add(new FailedJob(job.jobId(), job.tenantId(), job.type(), job.priority(), job.error(),
                    Instant.ofEpochMilli(Long.parseLong(item.get(JobItem.FAILED_AT).n()))));
        }
        String next = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                ? FailedCursor.encode(response.lastEvaluatedKey())
                : null;
        return new FailedPage(jobs, next);
    }

    @Override
    public List<InFlightJob> inFlightJobs(int shard) {
        List<InFlightJob> jobs = new ArrayList<>();
        Map<String, AttributeValue> startKey = null;
        do {
            QueryRequest.Builder query = QueryRequest.builder()
                    .tableName(table)
                    .indexName(IN_FLIGHT_INDEX)
                    .keyConditionExpression("#shard = :shard")
                    .expressionAttributeNames(Map.of("#shard", INFLIGHT_SHARD))
                    .expressionAttributeValues(Map.of(":shard", s(Integer.toString(shard))));
            if (startKey != null) {
                query.exclusiveStartKey(startKey);
            }
            QueryResponse response = dynamo.query(query.build());
            for (Map<String, AttributeValue> item : getAll(jobIds(response.items()), false)) {
                // the index lags its table: a job that has just ended may still be listed
                if (isJob(item) && item.containsKey(INFLIGHT_SHARD)) {
                    jobs.add(new InFlightJob(item.get(JobItem.JOB_ID).s(), item.get(JobItem.TENANT_ID).s(),
                            item.get(JobItem.TYPE).s(), JobStatus.valueOf(item.get(STATUS).s()), JobItem.queuedAt(item),
                            JobItem.str(item, JobItem.WAITING_FOR)));
                }
            }
            startKey = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (startKey != null);
        return jobs;
    }

    /** The in-flight index also holds the concurrency keys while they are held (see DynamoKeyStore). */
    private static boolean isJob(Map<String, AttributeValue> item) {
        return !item.get(JobItem.JOB_ID).s().startsWith(DynamoKeyStore.PREFIX);
    }

    /** Index items lack the attributes a Job requires; these fill them for reading only. */
    private static Map<String, AttributeValue> withDefaults(Map<String, AttributeValue> item) {
        Map<String, AttributeValue> full = new HashMap<>(item);
        full.putIfAbsent(JobItem.STATUS, s(JobStatus.FAILED.name()));
        full.putIfAbsent(JobItem.CREATED_AT, n(0));
        full.putIfAbsent(UPDATED_AT, n(0));
        full.putIfAbsent(JobItem.TENANT_ID, s(""));
        full.putIfAbsent(JobItem.TYPE, s(""));
        return full;
    }

    /** The attributes the reconciliation reads of every item: a projection costs the same read units, sends less. */
    private static final List<String> SCANNED = List.of(JobItem.JOB_ID, JobItem.TENANT_ID, JobItem.TYPE, JobItem.PRIORITY, STATUS,
            ATTEMPTS, JobItem.MAX_ATTEMPTS, UPDATED_AT, JobItem.QUEUED_AT, NEXT_ATTEMPT_AT, JobItem.RUN_AT, LEASE_EXPIRES_AT,
            JobItem.WAITING_FOR, INFLIGHT_SHARD);

    @Override
    public ScanPage scanJobs(int limit, String cursor) {
        Map<String, String> names = new HashMap<>();
        SCANNED.forEach(attribute -> names.put("#" + attribute, attribute));
        ScanRequest.Builder scan = ScanRequest.builder()
                .tableName(table)
                .limit(limit)
                // eventually consistent: half the read units, and a job that moved a moment ago is found at the next run
                .consistentRead(false)
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)
                .projectionExpression(String.join(", ", names.keySet()))
                .expressionAttributeNames(names);
        if (cursor != null) {
            scan.exclusiveStartKey(Map.of(JobItem.JOB_ID, s(ScanCursor.decode(cursor))));
        }
        ScanResponse response = dynamo.scan(scan.build());
        List<ScannedJob> jobs = new ArrayList<>();
        for (Map<String, AttributeValue> item : response.items()) {
            if (isScannedJob(item)) {
                jobs.add(scanned(item));
            }
        }
        String next = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                ? ScanCursor.encode(response.lastEvaluatedKey().get(JobItem.JOB_ID).s())
                : null;
        double units = response.consumedCapacity() == null || response.consumedCapacity().capacityUnits() == null
                ? 0 : response.consumedCapacity().capacityUnits();
        return new ScanPage(jobs, response.count(), units, next);
    }

    /** A job has a tenant, a type and a status; the table's other items (tenants, keys, runs, dead letters) do not all. */
    private static boolean isScannedJob(Map<String, AttributeValue> item) {
        String status = JobItem.str(item, STATUS);
        if (!isJob(item) || JobItem.str(item, JobItem.TENANT_ID) == null || JobItem.str(item, JobItem.TYPE) == null || status == null) {
            return false;
        }
        try {
            JobStatus.valueOf(status);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static ScannedJob scanned(Map<String, AttributeValue> item) {
        String label = JobItem.str(item, JobItem.PRIORITY);
        return new ScannedJob(item.get(JobItem.JOB_ID).s(), JobItem.str(item, JobItem.TENANT_ID), JobItem.str(item, JobItem.TYPE),
                label == null ? dev.jobline.job.Priority.NORMAL : dev.jobline.job.Priority.fromLabel(label).orElse(dev.jobline.job.Priority.NORMAL),
                JobStatus.valueOf(JobItem.str(item, STATUS)), (int) whole(item, ATTEMPTS), (int) Math.max(1, whole(item, JobItem.MAX_ATTEMPTS)),
                JobItem.instant(item, UPDATED_AT), JobItem.queuedAt(item), JobItem.instant(item, NEXT_ATTEMPT_AT),
                JobItem.instant(item, JobItem.RUN_AT), JobItem.instant(item, LEASE_EXPIRES_AT), JobItem.str(item, JobItem.WAITING_FOR),
                item.containsKey(INFLIGHT_SHARD));
    }

    private static long whole(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? 0 : Long.parseLong(value.n());
    }
}
