package dev.jobline.lifecycle;

import dev.jobline.job.JobRegistry;
import dev.jobline.job.JobStatus;
import dev.jobline.job.JobType;
import dev.jobline.log.Log;
import dev.jobline.store.LimitStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many jobs run at once: per job type ({@code maxConcurrent}), per type and tenant ({@code maxConcurrentPerTenant})
 * and per tenant (the deployment's running cap). A worker holds each limit an attempt runs under before claiming it,
 * for as long as its lease; the attempt's end gives the holds back (a listener of the lifecycle), and a crashed
 * attempt's holds run out with its lease, so none can leak.
 *
 * <p>A worker invocation first holds, for all its records at once, the places they need ({@link #holdBatch}): one
 * write per limit instead of one per record, and one more when the invocation ends ({@link BatchHold#release}). Its
 * records' attempts then hold nothing of their own under a limit the batch holds; a limit without room for the whole
 * batch is held record by record, as before.
 */
public final class RunningLimits implements JobListener {
    /** No limits: every attempt runs. */
    public static final RunningLimits NONE = new RunningLimits(null, JobRegistry.builder().build(), 0);

    private final LimitStore limits;
    private final JobRegistry registry;
    private final int tenantMaxRunning;
    /** The batch holds of the invocations running now (the local stack runs several in one process), by invocation. */
    private final Map<String, BatchHold> batches = new ConcurrentHashMap<>();

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
        BatchHold batch = batchOf(attempt);
        for (Limit limit : limitsOf(tenantId, type)) {
            if (batch.covers(limit.key())) {
                continue;
            }
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
        BatchHold batch = batchOf(attempt);
        for (Limit limit : limitsOf(tenantId, type)) {
            String holder = batch.covers(limit.key()) ? batch.holder : attempt;
            if (!limits.extend(limit.key(), holder, until) && !limits.hold(limit.key(), limit.cap(), attempt, until, now)) {
                Log.warn("limit.hold_lost", "limit", limit.key(), "attempt", attempt);
            }
        }
    }

    /** Gives back the attempt's holds (a claim that lost, or an attempt that ended). */
    public void release(String attempt, String tenantId, String type) {
        if (limits == null) {
            return;
        }
        BatchHold batch = batchOf(attempt);
        for (Limit limit : limitsOf(tenantId, type)) {
            if (!batch.covers(limit.key())) {
                limits.release(limit.key(), attempt);
            }
        }
    }

    /** One record of a batch: whose job, of which type (from its message's attributes). */
    public record Runs(String tenantId, String type) {
    }

    /**
     * Holds, for the invocation {@code invocationId}, the places its records will need under each limit, in one write per
     * limit, until {@code until} (their leases' end). The attempts named {@code invocationId/...} then hold nothing of
     * their own under those limits; {@link BatchHold#release()} gives the places back when the invocation ends.
     */
    public BatchHold holdBatch(String invocationId, List<Runs> records, Instant until, Instant now) {
        if (limits == null || records.isEmpty()) {
            return BatchHold.NONE;
        }
        Map<String, Limit> byKey = new LinkedHashMap<>();
        Map<String, Integer> needed = new LinkedHashMap<>();
        for (Runs record : records) {
            for (Limit limit : limitsOf(record.tenantId(), record.type())) {
                byKey.put(limit.key(), limit);
                needed.merge(limit.key(), 1, Integer::sum);
            }
        }
        Map<String, Integer> held = new LinkedHashMap<>();
        needed.forEach((key, places) -> {
            // one record alone holds its place as it always did: a batch hold would cost the same write and a release
            if (places > 1 && limits.holdMany(key, byKey.get(key).cap(), invocationId, places, until, now)) {
                held.put(key, places);
            }
        });
        if (held.isEmpty()) {
            return BatchHold.NONE;
        }
        BatchHold batch = new BatchHold(this, invocationId, held);
        batches.put(invocationId, batch);
        return batch;
    }

    private BatchHold batchOf(String attempt) {
        int slash = attempt == null ? -1 : attempt.lastIndexOf('/');
        BatchHold batch = slash < 0 ? null : batches.get(attempt.substring(0, slash));
        return batch == null ? BatchHold.NONE : batch;
    }

    /** The places one invocation holds for its records, per limit. */
    public static final class BatchHold {
        static final BatchHold NONE = new BatchHold(null, null, Map.of());
        private final RunningLimits owner;
        private final String holder;
        private final Map<String, Integer> places;

        private BatchHold(RunningLimits owner, String holder, Map<String, Integer> places) {
            this.owner = owner;
            this.holder = holder;
            this.places = Map.copyOf(places);
        }

        boolean covers(String limit) {
            return places.containsKey(limit);
        }

        /** True when it holds places under at least one limit. */
        public boolean holdsAny() {
            return !places.isEmpty();
        }

        /** Gives every place back (the invocation's records are done), one write per limit. */
        public void release() {
            if (owner == null) {
                return;
            }
            owner.batches.remove(holder);
            places.forEach((limit, count) -> {
                try {
                    owner.limits.releaseMany(limit, holder, count);
                } catch (RuntimeException e) {
                    // the places run out with the hold's time, as a crashed invocation's do
                    Log.warn("limit.batch_not_released", "limit", limit, "reason", e.getMessage());
                }
            });
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
