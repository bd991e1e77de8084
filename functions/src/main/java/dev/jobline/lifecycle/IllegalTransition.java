package dev.jobline.lifecycle;

import dev.jobline.job.JobStatus;

/** A change the transition table does not allow: refused before any write. A programming error, not an outcome. */
public final class IllegalTransition extends IllegalStateException {
    public IllegalTransition(JobStatus from, JobStatus to) {
        super("a job cannot move from " + (from == null ? "nothing" : from) + " to " + to);
    }
}
