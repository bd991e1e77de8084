package dev.jobline.worker;

import dev.jobline.job.Job;
import dev.jobline.job.JobContext;
import dev.jobline.job.Progress;
import dev.jobline.json.Json;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/** The context a handler runs in: progress is buffered here and written by the heartbeat. */
final class RunningJob implements JobContext {
    private final Job job;
    private final Object payload;
    private final Clock clock;
    private final Instant stopAt;
    private final AtomicReference<Progress> progress = new AtomicReference<>();
    private volatile boolean cancelRequested;

    RunningJob(Job job, Clock clock, Instant stopAt) {
        this.job = job;
        this.payload = Json.parseStored(job.payload());
        this.clock = clock;
        this.stopAt = stopAt;
        this.cancelRequested = job.cancelRequested();
    }

    Job job() {
        return job;
    }

    Progress latestProgress() {
        return progress.get();
    }

    void cancelRequested(boolean requested) {
        if (requested) {
            cancelRequested = true;
        }
    }

    @Override
    public String jobId() {
        return job.jobId();
    }

    @Override
    public String tenantId() {
        return job.tenantId();
    }

    @Override
    public int attempt() {
        return job.attempts();
    }

    @Override
    public Object payload() {
        return payload;
    }

    @Override
    public void reportProgress(long current, long total, String message) {
        progress.set(new Progress(current, total, message));
    }

    @Override
    public boolean isCancelRequested() {
        return cancelRequested;
    }

    @Override
    public Duration timeLeft() {
        Duration left = Duration.between(clock.instant(), stopAt);
        return left.isNegative() ? Duration.ZERO : left;
    }
}
