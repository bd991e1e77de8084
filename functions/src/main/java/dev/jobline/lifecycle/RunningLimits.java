package dev.jobline.lifecycle;

import dev.jobline.job.JobRegistry;
import dev.jobline.job.JobStatus;
import dev.jobline.job.JobType;
import dev.jobline.log.Log;
import dev.jobline.store.LimitStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How many jobs run at once: per job type ({@code maxConcurrent}), per type and tenant ({@code maxConcurrentPerTenant})
 * and per tenant (the deployment's running cap). A worker holds each limit an attempt runs under before claiming it,
 * for as long as its lease; the attempt's end gives the holds back (a listener of the lifecycle), and a crashed
 * attempt's holds run out with its lease, so none can leak.
 */
public final class RunningLimits implements JobListener {
    /** No limits: every attempt runs. */
    public static final RunningLimits NONE = new RunningLimits(null, JobRegistry.builder().build(), 0);

    private final LimitStore limits;
    private final JobRegistry registry;
    private final int tenantMaxRunning;

    /** @param tenantMaxRunning the most jobs of one tenant running at once, every type together; 0: no cap */
    public RunningLimits(LimitStore limits, JobRegistry registry, int tenantMaxRunning) {
        this.limits = limits;
        this.registry = registry;
        this.tenantMaxRunning = tenantMaxRunning;
    }

    /** One limit: its record and its cap, and how a waiting job names it. */
    private record Limit(String key, int cap, String reason) {
    }

    private List<Limit> limitsOf(String tenantId, String type) {
        List<Limit> applying = new ArrayList<>();
        Optional<JobType> jobType = registry.find(type);
        String tenant = tenantId.length() + ":" + tenantId;
        if (jobType.isPresent() && jobType.get().maxConcurrent() > 0) {
            applying.add(new Limit("limit#type#" + type, jobType.get().maxConcurrent(), "type limit"));
        }
        if (jobType.isPresent() && jobType.get().maxConcurrentPerTenant() > 0) {
            applying.add(new Limit("limit#type#" + type + "#tenant#" + tenant, jobType.get().maxConcurrentPerTenant(),
                    "type limit for this tenant"));
        }
        if (tenantMaxRunning > 0) {
            applying.add(new Limit("limit#tenant#" + tenant, tenantMaxRunning, "tenant limit"));
        }
        return applying;
    }

    /**
     * Holds every limit the attempt runs under until {@code until} (again, for one that holds them already): the
     * reason it must wait when one is full (the holds taken meanwhile are given back), else empty.
     */
    public Optional<String> hold(String attempt, String tenantId, String type, Instant until, Instant now) {
        if (limits == null) {
            return Optional.empty();
        }
        List<Limit> held = new ArrayList<>();
        for (Limit limit : limitsOf(tenantId, type)) {
            if (!limits.hold(limit.key(), limit.cap(), attempt, until, now)) {
                held.forEach(taken -> limits.release(taken.key(), attempt));
                return Optional.of(limit.reason());
            }
            held.add(limit);
        }
        return Optional.empty();
    }

    /**
     * Moves the attempt's holds on to {@code until} (its lease was extended). A hold that ran out meanwhile (the
     * heartbeat came late, and another worker removed it) is taken again if there is room, and logged if not.
     */
    public void extend(String attempt, String tenantId, String type, Instant until, Instant now) {
        if (limits == null) {
            return;
        }
        for (Limit limit : limitsOf(tenantId, type)) {
            if (!limits.extend(limit.key(), attempt, until) && !limits.hold(limit.key(), limit.cap(), attempt, until, now)) {
                Log.warn("limit.hold_lost", "limit", limit.key(), "attempt", attempt);
            }
        }
    }

    /** Gives back the attempt's holds (a claim that lost, or an attempt that ended). */
    public void release(String attempt, String tenantId, String type) {
        if (limits == null) {
            return;
        }
        for (Limit limit : limitsOf(tenantId, type)) {
            limits.release(limit.key(), attempt);
        }
    }

    @Override
    public void moved(JobMoved event) {
        // an attempt ended (a takeover leaves the crashed attempt's holds to run out)
        if (event.from() == JobStatus.RUNNING && event.to() != JobStatus.RUNNING && event.attempt() != null && !event.recounted()) {
            release(event.attempt(), event.tenantId(), event.type());
        }
    }
}
