package dev.jobline.job;

/**
 * The life of a job. {@link #canMoveTo} is the one transition table: the lifecycle checks every change against it
 * before writing anything. A job that depends on others starts WAITING and is queued when they all succeeded (or
 * cancelled when one of them did not, or by its tenant); every other new job starts QUEUED.
 */
public enum JobStatus {
    WAITING, QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public boolean canMoveTo(JobStatus next) {
        return switch (this) {
            // released when every parent succeeded; cancelled when one did not, or by the tenant
            case WAITING -> next == QUEUED || next == CANCELLED;
            case QUEUED -> next == RUNNING || next == CANCELLED || next == FAILED;
            // ends; waits for a retry as QUEUED; or is taken over by a new attempt when its lease expired
            case RUNNING -> next != WAITING;
            case SUCCEEDED -> false;
            case FAILED, CANCELLED -> next == QUEUED;     // manual retry
        };
    }

    /** A new job starts QUEUED, or WAITING for the jobs it depends on. */
    public static boolean canStartAs(JobStatus first) {
        return first == QUEUED || first == WAITING;
    }

    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    /** In-flight jobs are the only ones the sweeper's sparse index holds (and take a place in their tenant's quota). */
    public boolean isInFlight() {
        return !isTerminal();
    }
}
