package dev.jobline.sweeper;

import dev.jobline.job.JobStatus;
import dev.jobline.log.Log;
import dev.jobline.store.JobStore;
import dev.jobline.store.TenantStore;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Puts every tenant's counts right from what is really in flight. The counts are kept by writes that follow the
 * jobs' own (a function can die between the two, or the second can fail), so each sweep counts the jobs in the
 * in-flight index, WAITING, QUEUED and RUNNING per tenant and per type, and adds to each tenant's record the difference
 * between that count and what the record said just before. The count reads every job in flight: its cost grows with
 * the work under way, not with the table.
 *
 * <p>Moves made while it counts can make one sweep's correction a little off (a job that ended is counted gone while
 * its release is still to be written); the next sweep counts again, so what is off never accumulates, and a count a
 * lost write left wrong is right again after one sweep.
 */
final class CountReconciler {
    private final JobStore jobs;
    private final TenantStore tenants;

    CountReconciler(JobStore jobs, TenantStore tenants) {
        this.jobs = jobs;
        this.tenants = tenants;
    }

    /** What one pass did: the jobs it counted and the tenants whose records it corrected. */
    record Result(int counted, int corrected) {
    }

    Result reconcile(Instant now) {
        Set<String> known = new LinkedHashSet<>(tenants.tenants());
        // read before counting: a move between the two shows in the count, and the next sweep settles it
        Map<String, TenantStore.TenantCounts> before = new HashMap<>(tenants.read(known));
        Map<String, Map<JobStatus, Long>> byTenant = new HashMap<>();
        Map<String, TenantStore.InFlightCounts> byType = new TreeMap<>();
        Map<String, TenantStore.InFlightCounts> inFlightByTenant = new TreeMap<>();
        Instant oldestQueuedAt = null;
        int counted = 0;
        for (int shard = 0; shard < jobs.shards(); shard++) {
            for (JobStore.InFlightJob job : jobs.inFlightJobs(shard)) {
                counted++;
                byTenant.computeIfAbsent(job.tenantId(), id -> new EnumMap<>(JobStatus.class)).merge(job.status(), 1L, Long::sum);
                boolean waiting = job.waitingFor() != null;
                byType.merge(job.type(), TenantStore.InFlightCounts.NONE.plus(job.status(), waiting),
                        (was, one) -> was.plus(job.status(), waiting));
                inFlightByTenant.merge(job.tenantId(), TenantStore.InFlightCounts.NONE.plus(job.status(), waiting),
                        (was, one) -> was.plus(job.status(), waiting));
                if (job.status() == JobStatus.QUEUED && job.queuedAt() != null && !job.queuedAt().isAfter(now)
                        && (oldestQueuedAt == null || job.queuedAt().isBefore(oldestQueuedAt))) {
                    oldestQueuedAt = job.queuedAt();
                }
            }
        }
        List<String> unknown = new ArrayList<>();
        for (String tenant : byTenant.keySet()) {
            if (!known.contains(tenant)) {
                unknown.add(tenant);
            }
        }
        if (!unknown.isEmpty()) {
            tenants.register(unknown);
            before.putAll(tenants.read(unknown));
        }
        int corrected = 0;
        for (Map.Entry<String, TenantStore.TenantCounts> entry : before.entrySet()) {
            Map<JobStatus, Long> actual = byTenant.getOrDefault(entry.getKey(), Map.of());
            if (correct(entry.getValue(), actual)) {
                corrected++;
            }
        }
        tenants.saveSnapshot(new TenantStore.InFlightSnapshot(now, byType, inFlightByTenant, oldestQueuedAt));
        return new Result(counted, corrected);
    }

    /** Adds to the tenant's record what its count of WAITING, QUEUED, RUNNING and in-flight jobs is off by; true if it was. */
    private boolean correct(TenantStore.TenantCounts recorded, Map<JobStatus, Long> actual) {
        long waiting = actual.getOrDefault(JobStatus.WAITING, 0L);
        long queued = actual.getOrDefault(JobStatus.QUEUED, 0L);
        long running = actual.getOrDefault(JobStatus.RUNNING, 0L);
        Map<JobStatus, Long> jobsOff = new EnumMap<>(JobStatus.class);
        jobsOff.put(JobStatus.WAITING, waiting - recorded.jobs().getOrDefault(JobStatus.WAITING, 0L));
        jobsOff.put(JobStatus.QUEUED, queued - recorded.jobs().getOrDefault(JobStatus.QUEUED, 0L));
        jobsOff.put(JobStatus.RUNNING, running - recorded.jobs().getOrDefault(JobStatus.RUNNING, 0L));
        long inFlightOff = waiting + queued + running - recorded.inFlight();
        TenantStore.Delta delta = new TenantStore.Delta(jobsOff, inFlightOff, BigDecimal.ZERO);
        if (delta.isEmpty()) {
            return false;
        }
        tenants.apply(recorded.tenantId(), delta);
        Log.info("tenant.counts_corrected", "tenantId", recorded.tenantId(), "waitingBy", jobsOff.get(JobStatus.WAITING),
                "queuedBy", jobsOff.get(JobStatus.QUEUED),
                "runningBy", jobsOff.get(JobStatus.RUNNING), "inFlightBy", inFlightOff);
        return true;
    }
}
