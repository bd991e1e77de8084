package dev.jobline.lifecycle;

import dev.jobline.cost.JobCost;
import dev.jobline.job.Job;
import dev.jobline.job.JobStatus;
import java.time.Duration;
import java.time.Instant;

/**
 * One status change, as it was written: the job after it, the status it left (null for a new job) and the one it
 * entered, who moved it, and what the move measured. Listeners read everything they react to from here.
 *
 * @param cost          what this step cost (a submission, or an attempt), already added to the job's own cost
 * @param queueWait     a claim: how long the job could have run before it did; else null
 * @param attemptTime   the end of an attempt: how long it ran, as billed; else null
 * @param leaseExpired  the move took over, or ended, an attempt whose lease had expired (its worker died or froze)
 * @param recounted     not a new move: an end written earlier whose counts were lost with its invocation (the function
 *                      died before writing them), told again so the counts take it up; nothing else reacts to it
 * @param attempt       the attempt (its lease owner) the move started (a claim) or ended (an attempt's end); else null
 */
public record JobMoved(Job job, JobStatus from, JobStatus to, Cause cause, JobCost cost, Duration queueWait,
                       Duration attemptTime, boolean leaseExpired, Instant at, boolean recounted, String attempt) {

    public String tenantId() {
        return job.tenantId();
    }

    public String type() {
        return job.type();
    }

    /**
     * The job entered QUEUED from nothing or from an end, or was submitted WAITING: it takes a place in its tenant's
     * in-flight quota (a WAITING job keeps it when released).
     */
    public boolean admitted() {
        return to == JobStatus.QUEUED && (from == null || from.isTerminal()) || to == JobStatus.WAITING && from == null;
    }

    /** A new job: submitted, QUEUED or WAITING. */
    public boolean submitted() {
        return from == null && !recounted;
    }

    /** The job ended here: it gives its place in the quota back. */
    public boolean ended() {
        return !recounted && to.isTerminal() && (from == null || !from.isTerminal());
    }
}
