package dev.jobline.lifecycle;

import dev.jobline.job.Job;
import dev.jobline.job.JobError;
import dev.jobline.job.JobStatus;
import dev.jobline.job.Refusal;
import dev.jobline.log.Log;
import dev.jobline.queue.JobMessage;
import dev.jobline.queue.JobQueue;
import dev.jobline.store.JobStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Job chains. A job that depends on others ({@code dependsOn}, its parents) waits, WAITING, until they all succeeded,
 * and is then queued; when one of them ends FAILED or CANCELLED it ends CANCELLED with {@link JobError#DEPENDENCY_FAILED}
 * naming that parent, and its own end reaches its own dependents the same way, down the chain.
 *
 * <p>A listener: the end of a job that has dependents (each names itself on its parents at its submission, before it is
 * written) decides each of them from its parents as they are then. Reads are bounded: at most
 * {@link Job#MAX_DEPENDENTS} dependents, each with at most {@link Job#MAX_PARENTS} parents. Every move is a conditional
 * write, so two deciders racing (a parent's end and a submission, the sweeper) is a normal outcome: one wins. A
 * decision lost with its invocation is made by the sweeper, which looks at a WAITING job again when it comes due.
 */
public final class Chains implements JobListener {
    private final JobStore store;
    private final JobQueue queue;
    private volatile JobLifecycle lifecycle;

    /** Call {@link #bind} with the lifecycle this listener is registered in before any move. */
    public Chains(JobStore store, JobQueue queue) {
        this.store = store;
        this.queue = queue;
    }

    /** The lifecycle that moves the dependents (the one this listener hears): they are built one after the other. */
    public Chains bind(JobLifecycle moves) {
        this.lifecycle = moves;
        return this;
    }

    /** Who decides a WAITING job: the end of a parent, the flow's own submission, or the sweeper. */
    public enum Decider {
        /** A parent's end, or a new job's own submission: waits while a parent is missing or the job's flow is pending. */
        PARENT_END,
        /** The submission of a batch flow, once every job of it is stored: releases the flow's first jobs. */
        FLOW_COMMIT,
        /** The sweeper: a job whose parent is missing, or whose flow is still pending, was never stored whole. */
        SWEEPER
    }

    /** What a decision did: released the job (and sent it), cancelled it, left it waiting, or lost to another write. */
    public enum Decision { RELEASED, CANCELLED, WAITING, RACED }

    /** A decision and the job as it is after it. */
    public record Decided(Decision decision, Job job) {
    }

    // ---- a new job's dependencies

    /**
     * The parents of a new job of the tenant, checked: each must be a job of the tenant that has not ended FAILED or
     * CANCELLED ({@link Refusal.BadDependency} otherwise). The job depends on them: QUEUED when they all succeeded
     * already, else WAITING, named on each parent that has not (so that parent's end finds it). Nothing is written for
     * the job itself.
     */
    public Job link(Job child, List<String> parentIds) {
        Map<String, Job> parents = checked(child.tenantId(), parentIds);
        boolean allSucceeded = true;
        for (String parentId : parentIds) {
            if (parents.get(parentId).status() != JobStatus.SUCCEEDED) {
                allSucceeded = false;
                nameOn(parentId, child);
            }
        }
        return child.withDependencies(parentIds, List.of(), !allSucceeded, false);
    }

    /**
     * The tenant's jobs with these ids, each one a new job may depend on: {@link Refusal.BadDependency} for the first
     * that is not the tenant's (or does not exist) or has ended FAILED or CANCELLED.
     */
    public Map<String, Job> checked(String tenantId, java.util.Collection<String> parentIds) {
        Map<String, Job> parents = read(List.copyOf(parentIds));
        for (String parentId : parentIds) {
            Job parent = parents.get(parentId);
            if (parent == null || !parent.tenantId().equals(tenantId)) {
                throw new Refusal.BadDependency(parentId, Refusal.BadDependency.Why.UNKNOWN, null, -1);
            }
            if (parent.status() == JobStatus.FAILED || parent.status() == JobStatus.CANCELLED) {
                throw new Refusal.BadDependency(parentId, Refusal.BadDependency.Why.ENDED_UNSUCCESSFULLY, parent.status(), -1);
            }
        }
        return parents;
    }

    /** Names the child on one parent, before the child is written: the parent's end then finds it. */
    public void nameOn(String parentId, Job child) {
        if (store.addDependent(parentId, child.tenantId(), child.jobId()).isEmpty()) {
            boolean exists = store.find(parentId).filter(p -> p.tenantId().equals(child.tenantId())).isPresent();
            throw new Refusal.BadDependency(parentId, exists ? Refusal.BadDependency.Why.TOO_MANY_DEPENDENTS
                    : Refusal.BadDependency.Why.UNKNOWN, null, -1);
        }
    }

    // ---- deciding a WAITING job

    /**
     * Decides a WAITING job from its parents as they are now: cancelled (DEPENDENCY_FAILED, naming the parent) when one
     * ended FAILED or CANCELLED; released and sent when all succeeded; else left WAITING. A missing parent, or a flow
     * still pending, means "not stored yet" to a parent's end, and "never stored whole" to the sweeper.
     */
    public Decided decide(Job waiting, Decider decider) {
        if (waiting.status() != JobStatus.WAITING) {
            return new Decided(Decision.RACED, waiting);
        }
        Map<String, Job> parents = read(waiting.dependsOn());
        boolean unfinished = false;
        for (String parentId : waiting.dependsOn()) {
            Job parent = parents.get(parentId);
            if (parent == null || !parent.tenantId().equals(waiting.tenantId())) {
                if (decider == Decider.SWEEPER) {
                    return cancel(waiting, parentId, "job " + parentId + ", which this job depends on, was never stored "
                            + "(its batch flow was not stored whole)");
                }
                unfinished = true;
            } else if (parent.status() == JobStatus.FAILED || parent.status() == JobStatus.CANCELLED) {
                return cancel(waiting, parentId, "job " + parentId + ", which this job depends on, ended " + parent.status()
                        + (parent.error() == null ? "" : " (" + parent.error().code() + ")"));
            } else if (parent.status() != JobStatus.SUCCEEDED) {
                unfinished = true;
            }
        }
        if (waiting.flowPending() && decider != Decider.FLOW_COMMIT) {
            if (decider == Decider.SWEEPER) {
                return cancel(waiting, null, "its batch flow was not stored whole (the submission stopped before it ended)");
            }
            return new Decided(Decision.WAITING, waiting);
        }
        if (unfinished) {
            return new Decided(Decision.WAITING, waiting);
        }
        // the message first, then the release: a QUEUED job always has one (a worker that gets it before the write
        // lands sends it back for a moment; one whose release loses the race finds the job moved on and drops it)
        if (!send(waiting)) {
            if (waiting.flowPending()) {
                // no longer the submission's to release: a plain WAITING job, which the sweeper releases later
                store.endFlowPending(waiting.jobId(), lifecycle.clock().instant());
            }
            return new Decided(Decision.WAITING, waiting);
        }
        Optional<Job> released = lifecycle.release(waiting, decider == Decider.FLOW_COMMIT, Cause.CHAIN);
        if (released.isEmpty()) {
            return new Decided(Decision.RACED, waiting);
        }
        Log.info("chain.released", "jobId", waiting.jobId(), "tenantId", waiting.tenantId());
        return new Decided(Decision.RELEASED, released.get());
    }

    private Decided cancel(Job waiting, String parentId, String why) {
        Optional<Job> cancelled = lifecycle.cancelWaiting(waiting, new JobError(JobError.DEPENDENCY_FAILED, why, false), Cause.CHAIN);
        if (cancelled.isEmpty()) {
            return new Decided(Decision.RACED, waiting);
        }
        Log.info("chain.cancelled", "jobId", waiting.jobId(), "tenantId", waiting.tenantId(), "parentId", parentId);
        return new Decided(Decision.CANCELLED, cancelled.get());
    }

    /** The released job's message; false when the queue refused it (then nothing is written: it stays WAITING). */
    private boolean send(Job job) {
        try {
            queue.send(new JobMessage(job.jobId(), job.tenantId(), job.type(), job.priority()).beforeWrite(job.version() + 1));
            return true;
        } catch (JobQueue.QueueUnavailable e) {
            Log.warn("chain.release_deferred", "jobId", job.jobId(), "tenantId", job.tenantId(), "reason", e.getMessage());
            return false;
        }
    }

    private Map<String, Job> read(List<String> jobIds) {
        Map<String, Job> byId = new HashMap<>();
        for (Job job : store.findAll(jobIds)) {
            byId.put(job.jobId(), job);
        }
        return byId;
    }

    // ---- the listener

    @Override
    public void moved(JobMoved event) {
        Job parent = event.job();
        if (event.recounted() || !event.to().isTerminal() || parent.dependents().isEmpty()) {
            return;
        }
        if (lifecycle == null) {
            throw new IllegalStateException("Chains heard a move before it was bound to its lifecycle");
        }
        List<Job> waiting = new ArrayList<>();
        for (Job child : store.findAll(parent.dependents())) {
            // an id named by a submission that was then refused, or a child that has moved on, needs nothing
            if (child.status() == JobStatus.WAITING && child.dependsOn().contains(parent.jobId())
                    && child.tenantId().equals(parent.tenantId())) {
                waiting.add(child);
            }
        }
        for (Job child : waiting) {
            Decided decided = decide(child, Decider.PARENT_END);
            Log.info("chain.decided", "jobId", child.jobId(), "parentId", parent.jobId(), "decision", decided.decision());
        }
    }
}
