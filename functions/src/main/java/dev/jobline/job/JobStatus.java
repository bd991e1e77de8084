package dev.jobline.job;

/** The life of a job. Every change goes through {@link #canMoveTo}, the one transition table. */
public enum JobStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public boolean canMoveTo(JobStatus next) {
        return switch (this) {
            case QUEUED -> next == RUNNING || next == CANCELLED || next == FAILED;
            case RUNNING -> next != RUNNING;              // ends, or waits for a retry as QUEUED
            case SUCCEEDED -> false;
            case FAILED, CANCELLED -> next == QUEUED;     // manual retry
        };
    }

    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    /** In-flight jobs are the only ones the sweeper's sparse index holds. */
    public boolean isInFlight() {
        return !isTerminal();
    }
}
