package dev.jobline.job;

/**
 * The life of a job. {@link #canMoveTo} is the one transition table: the lifecycle checks every change against it
 * before writing anything.
 */
public enum JobStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public boolean canMoveTo(JobStatus next) {
        return switch (this) {
            case QUEUED -> next == RUNNING || next == CANCELLED || next == FAILED;
            // ends; waits for a retry as QUEUED; or is taken over by a new attempt when its lease expired
            case RUNNING -> true;
            case SUCCEEDED -> false;
            case FAILED, CANCELLED -> next == QUEUED;     // manual retry
        };
    }

    /** A new job starts QUEUED, and only there. */
    public static boolean canStartAs(JobStatus first) {
        return first == QUEUED;
    }

    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    /** In-flight jobs are the only ones the sweeper's sparse index holds. */
    public boolean isInFlight() {
        return !isTerminal();
    }
}
