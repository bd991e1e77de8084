package dev.jobline.job;

import java.time.Duration;
import java.util.Map;

/** What a running handler may see and do: its input, its progress, cancellation and its time. */
public interface JobContext {

    String jobId();

    String tenantId();

    /** 1 for the first attempt. */
    int attempt();

    /** The submitted payload as parsed JSON: a Map, List, String, Number, Boolean or null. */
    Object payload();

    /** Records progress; writes are throttled, so call it as often as is natural. */
    void reportProgress(long current, long total, String message);

    /** True once someone asked to cancel this job; a handler should stop soon after. */
    boolean isCancelRequested();

    /** Time before this attempt is stopped (its type's timeout or the function's time, whichever comes first). */
    Duration timeLeft();

    /**
     * The results of the jobs this one depends on ({@code dependsOn}), by job id, each parsed as {@link #payload()} is
     * (null for a parent that succeeded without a result). Read once per attempt, on first use: at most
     * {@link Job#MAX_PARENTS} jobs, each result at most the worker's result limit. Empty for a job without parents.
     */
    default Map<String, Object> parentResults() {
        return Map.of();
    }
}
