package dev.jobline.job;

import java.time.Duration;

/**
 * Why a request about a job was refused: a domain outcome, not a failure. Services throw these; only the API turns
 * them into answers (problem+json), and a worker or the sweeper never meets them.
 */
public abstract sealed class Refusal extends RuntimeException {

    private Refusal(String message) {
        super(message);
    }

    /** No such job for this tenant (another tenant's job is not found either). */
    public static final class NotFound extends Refusal {
        public NotFound(String jobId) {
            super("no job " + jobId);
        }
    }

    /** What a request wanted to do with a job that is not in a status that allows it. */
    public enum Action { CANCEL, RETRY }

    /** The job is in a status that does not allow the request (or moved on while it was made). */
    public static final class WrongStatus extends Refusal {
        private final Action action;
        private final JobStatus status;

        public WrongStatus(String jobId, Action action, JobStatus status, String detail) {
            super("job " + jobId + " is " + status + ": " + detail);
            this.action = action;
            this.status = status;
        }

        public Action action() {
            return action;
        }

        public JobStatus status() {
            return status;
        }
    }

    /** A tenant's limit is reached: {@code limit} names it, and trying again after {@code retryAfter} can work. */
    public static final class QuotaExceeded extends Refusal {
        private final String limit;
        private final Duration retryAfter;

        public QuotaExceeded(String limit, Duration retryAfter) {
            super("the tenant's " + limit + " limit is reached");
            this.limit = limit;
            this.retryAfter = retryAfter;
        }

        public String limit() {
            return limit;
        }

        public Duration retryAfter() {
            return retryAfter;
        }
    }

    /**
     * A concurrency key is held by another job of the tenant: the job that holds it ({@code holder}; null while its
     * own write is still on its way, then only its id is known).
     */
    public static final class KeyConflict extends Refusal {
        private final Job holder;
        private final String holderId;

        public KeyConflict(Job holder, String holderId, String key) {
            super("the concurrency key '" + key + "' is held by job " + holderId
                    + (holder == null ? "" : " (" + holder.status() + ")"));
            this.holder = holder;
            this.holderId = holderId;
        }

        /** The job that holds the key as last read; null when it was not written yet. */
        public Job holder() {
            return holder;
        }

        public String holderId() {
            return holderId;
        }
    }

    /**
     * A job a submission depends on cannot be waited for: there is no such job of the tenant ({@code UNKNOWN}; another
     * tenant's job is not found either), it has ended FAILED or CANCELLED ({@code ENDED_UNSUCCESSFULLY}), or it has
     * {@link Job#MAX_DEPENDENTS} dependents already ({@code TOO_MANY_DEPENDENTS}). {@code item} is the batch item that
     * named it (-1 for a single submission).
     */
    public static final class BadDependency extends Refusal {
        public enum Why { UNKNOWN, ENDED_UNSUCCESSFULLY, TOO_MANY_DEPENDENTS }

        private final String parentId;
        private final Why why;
        private final JobStatus status;
        private final int item;

        public BadDependency(String parentId, Why why, JobStatus status, int item) {
            super(switch (why) {
                case UNKNOWN -> "dependsOn names job " + parentId + ", which does not exist";
                case ENDED_UNSUCCESSFULLY -> "dependsOn names job " + parentId + ", which has ended " + status
                        + ": a job depending on it could never run";
                case TOO_MANY_DEPENDENTS -> "job " + parentId + " has " + Job.MAX_DEPENDENTS
                        + " dependent jobs already, the most one job may have";
            } + (item >= 0 ? " (item " + item + ")" : ""));
            this.parentId = parentId;
            this.why = why;
            this.status = status;
            this.item = item;
        }

        public BadDependency atItem(int index) {
            return new BadDependency(parentId, why, status, index);
        }

        public String parentId() {
            return parentId;
        }

        public Why why() {
            return why;
        }

        public int item() {
            return item;
        }
    }

    /** An Idempotency-Key already names another request's job: a different request (reused) or one still running. */
    public static final class IdempotencyConflict extends Refusal {
        private final boolean stillInFlight;

        public IdempotencyConflict(boolean stillInFlight) {
            super(stillInFlight
                    ? "the job this Idempotency-Key created is still in flight; use a new key or wait for it to end"
                    : "this Idempotency-Key was used in the last 24 hours with a different request");
            this.stillInFlight = stillInFlight;
        }

        public boolean stillInFlight() {
            return stillInFlight;
        }
    }
}
