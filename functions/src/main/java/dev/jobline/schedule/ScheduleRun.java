package dev.jobline.schedule;

import java.time.Instant;

/**
 * What one fire did: {@code outcome} is {@link #CREATED} (its job, {@code jobId}), {@link #SKIPPED} (the previous job
 * held the schedule's key: {@code detail} names it), {@link #REFUSED} (the tenant's quota: no job) or {@link #INVALID}
 * (the template no longer makes a job, e.g. its type was removed). {@code missedSince}: the first fire time this one
 * stands for when the scheduler did not run for a while (one fire for the missed period), else null.
 */
public record ScheduleRun(Instant fireAt, String jobId, String outcome, String detail, Instant missedSince) {
    public static final String CREATED = "created";
    public static final String SKIPPED = "skipped";
    public static final String REFUSED = "refused";
    public static final String INVALID = "invalid";
}
