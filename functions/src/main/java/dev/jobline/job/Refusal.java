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
