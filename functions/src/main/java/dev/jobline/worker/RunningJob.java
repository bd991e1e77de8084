package dev.jobline.worker;

import dev.jobline.job.Job;
import dev.jobline.job.JobContext;
import dev.jobline.job.Progress;
import dev.jobline.json.Json;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/** The context a handler runs in: progress is buffered here and written by the heartbeat. */
final class RunningJob implements JobContext {
    private final Job job;
    private final Object payload;
    private final Clock clock;
    private final Instant stopAt;
    private final AtomicReference<Progress> progress = new AtomicReference<>();
    private volatile boolean cancelRequested;
    private final Function<List<String>, List<Job>> jobs;
    private Map<String, Object> parentResults;

    RunningJob(Job job, Clock clock, Instant stopAt) {
        this(job, clock, stopAt, ids -> List.of());
    }

    /** @param jobs reads the parents' jobs, for {@link #parentResults()} */
    RunningJob(Job job, Clock clock, Instant stopAt, Function<List<String>, List<Job>> jobs) {
        this.jobs = jobs;
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
    public synchronized Map<String, Object> parentResults() {
        if (parentResults == null) {
            Map<String, Object> results = new LinkedHashMap<>();
            Map<String, Job> read = new HashMap<>();
            for (Job parent : job.dependsOn().isEmpty() ? List.<Job>of() : jobs.apply(job.dependsOn())) {
                read.put(parent.jobId(), parent);
            }
            for (String parentId : job.dependsOn()) {
                Job parent = read.get(parentId);
                // a parent removed by its retention has no result left to read
                results.put(parentId, parent == null ? null : Json.parseStored(parent.result()));
            }
            parentResults = Collections.unmodifiableMap(results);
        }
        return parentResults;
    }

    @Override
    public Duration timeLeft() {
        Duration left = Duration.between(clock.instant(), stopAt);
        return left.isNegative() ? Duration.ZERO : left;
    }
}
