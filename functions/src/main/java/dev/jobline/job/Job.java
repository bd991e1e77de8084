package dev.jobline.job;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One job as stored. Payload and result are JSON text. Lease fields belong to the attempt that
 * holds the job; {@code version} grows by one on every write. {@code endedBy} names the attempt (its
 * lease owner) whose write ended the job, when an attempt did. {@code key} is the concurrency key it holds (or held),
 * {@code waitingFor} why a QUEUED job that could run does not yet (a concurrency limit is full), or, on a WAITING job
 * of a batch flow, that its flow is not completely stored yet ({@link #FLOW_PENDING}). {@code dependsOn} names the
 * jobs it waits for (its parents); {@code dependents} the jobs that wait for it (its children), which its end releases.
 */
public record Job(
        String jobId,
        String tenantId,
        String type,
        JobStatus status,
        String payload,
        int attempts,
        int maxAttempts,
        int timeoutSeconds,
        Instant createdAt,
        Instant updatedAt,
        Instant startedAt,
        Instant finishedAt,
        Progress progress,
        String result,
        JobError error,
        String leaseOwner,
        Instant leaseExpiresAt,
        Instant heartbeatAt,
        boolean cancelRequested,
        Instant nextAttemptAt,
        Instant expiresAt,
        long version,
        Priority priority,
        Instant runAt,
        String callbackUrl,
        String requestHash,
        WebhookDelivery webhook,
        dev.jobline.cost.CostTotals cost,
        String endedBy,
        JobKey key,
        String waitingFor,
        List<String> dependsOn,
        List<String> dependents) {

    /** The most jobs one job may depend on. */
    public static final int MAX_PARENTS = 20;
    /** The most jobs that may depend on one job: its end releases them all in one invocation. */
    public static final int MAX_DEPENDENTS = 100;
    /** waitingFor of a batch flow's first jobs until the whole flow is stored: only the submission releases them. */
    public static final String FLOW_PENDING = "flow";

    public Job {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        priority = priority == null ? Priority.NORMAL : priority;
        dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
        dependents = dependents == null ? List.of() : List.copyOf(dependents);
    }

    /** A new job as it is first written: QUEUED, no attempt made, version 1. */
    public static Job submitted(String jobId, String tenantId, JobType type, String payload,
                                int maxAttempts, int timeoutSeconds, Instant now) {
        return new Job(jobId, tenantId, type.name(), JobStatus.QUEUED, payload, 0, maxAttempts, timeoutSeconds,
                now, now, null, null, null, null, null, null, null, null, false, null, null, 1,
                Priority.NORMAL, null, null, null, null, null, null, null, null, List.of(), List.of());
    }

    /** The same new job with the submission's options. */
    public Job withOptions(Priority newPriority, Instant newRunAt, String newCallbackUrl, String newRequestHash) {
        return new Job(jobId, tenantId, type, status, payload, attempts, maxAttempts, timeoutSeconds, createdAt, updatedAt,
                startedAt, finishedAt, progress, result, error, leaseOwner, leaseExpiresAt, heartbeatAt, cancelRequested,
                nextAttemptAt, expiresAt, version, newPriority, newRunAt, newCallbackUrl, newRequestHash, webhook, cost, endedBy, key, waitingFor, dependsOn, dependents);
    }

    /** The same new job with what its submission cost: its item starts with it. */
    public Job withCost(dev.jobline.cost.CostTotals newCost) {
        return new Job(jobId, tenantId, type, status, payload, attempts, maxAttempts, timeoutSeconds, createdAt, updatedAt,
                startedAt, finishedAt, progress, result, error, leaseOwner, leaseExpiresAt, heartbeatAt, cancelRequested,
                nextAttemptAt, expiresAt, version, priority, runAt, callbackUrl, requestHash, webhook, newCost, endedBy, key, waitingFor, dependsOn, dependents);
    }

    /** The same new job holding a concurrency key. */
    public Job withKey(JobKey newKey) {
        return new Job(jobId, tenantId, type, status, payload, attempts, maxAttempts, timeoutSeconds, createdAt, updatedAt,
                startedAt, finishedAt, progress, result, error, leaseOwner, leaseExpiresAt, heartbeatAt, cancelRequested,
                nextAttemptAt, expiresAt, version, priority, runAt, callbackUrl, requestHash, webhook, cost, endedBy, newKey,
                waitingFor, dependsOn, dependents);
    }

    /**
     * The same new job, depending on {@code parents}: WAITING, unless it is to be queued at once (every parent
     * succeeded already); {@code children} the jobs of its own batch flow that depend on it; {@code flowPending} for a
     * flow's job that only its submission may release.
     */
    public Job withDependencies(List<String> parents, List<String> children, boolean waiting, boolean flowPending) {
        return new Job(jobId, tenantId, type, waiting ? JobStatus.WAITING : JobStatus.QUEUED, payload, attempts, maxAttempts,
                timeoutSeconds, createdAt, updatedAt, startedAt, finishedAt, progress, result, error, leaseOwner, leaseExpiresAt,
                heartbeatAt, cancelRequested, nextAttemptAt, expiresAt, version, priority, runAt, callbackUrl, requestHash,
                webhook, cost, endedBy, key, flowPending ? FLOW_PENDING : waitingFor, parents, children);
    }

    /** A WAITING job of a batch flow whose submission has not released it yet. */
    public boolean flowPending() {
        return status == JobStatus.WAITING && FLOW_PENDING.equals(waitingFor);
    }

    public boolean hasLiveLease(Instant now) {
        return status == JobStatus.RUNNING && leaseExpiresAt != null && leaseExpiresAt.isAfter(now);
    }

    public boolean attemptsLeft() {
        return attempts < maxAttempts;
    }
}
