package dev.jobline.lifecycle;

import dev.jobline.job.JobStatus;
import dev.jobline.job.Refusal;
import dev.jobline.log.Log;
import dev.jobline.store.TenantStore;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * Each tenant's quota and counts. A new job's room is reserved before it is written ({@link Admission}), and that
 * same write counts it (its status and its submission's cost): a submission makes one tenant write. Every later move
 * is counted here, and at the end of the invocation all that changed for a tenant (its jobs per status, the in-flight
 * places its ended jobs give back, their cost) goes out in one write to its record. No other write stands in the
 * way of the release. If that write is lost (the function dies, the table refuses), the reconciliation's count of what is
 * in flight puts the record right at its next run (daily, or POST /admin/reconcile) for a tenant quiet during it; a
 * redelivered message of an ended job counts its end's status total again at once.
 */
public final class TenantLedger implements JobListener, Admission {
    private final TenantStore tenants;
    private final Map<String, Pending> pending = new HashMap<>();

    public TenantLedger(TenantStore tenants) {
        this.tenants = tenants;
    }

    /** What this invocation's moves changed for one tenant, not written yet. */
    private static final class Pending {
        final Map<JobStatus, Long> jobs = new EnumMap<>(JobStatus.class);
        long inFlight;
        BigDecimal dollars = BigDecimal.ZERO;
    }

    @Override
    public void reserve(String tenantId, int jobs, Instant now) {
        TenantStore.Decision decision = tenants.reserve(tenantId, jobs, now);
        if (!decision.granted()) {
            throw new Refusal.QuotaExceeded(decision.limit(), decision.retryAfter());
        }
    }

    @Override
    public void unreserve(String tenantId, int jobs) {
        tenants.unreserve(tenantId, jobs);
    }

    @Override
    public void admitNew(String tenantId, Map<JobStatus, Long> entering, BigDecimal dollars, Instant now) {
        int jobs = (int) entering.values().stream().mapToLong(Long::longValue).sum();
        TenantStore.Decision decision = tenants.reserve(tenantId, jobs, new TenantStore.Delta(entering, 0, dollars), now);
        if (!decision.granted()) {
            throw new Refusal.QuotaExceeded(decision.limit(), decision.retryAfter());
        }
    }

    @Override
    public void unadmitNew(String tenantId, Map<JobStatus, Long> entering, BigDecimal dollars) {
        int jobs = (int) entering.values().stream().mapToLong(Long::longValue).sum();
        tenants.unreserve(tenantId, jobs, new TenantStore.Delta(entering, 0, dollars));
    }

    @Override
    public synchronized void moved(JobMoved event) {
        if (event.from() == null) {
            // a new job: its admission counted it, its cost and its place in the same write
            return;
        }
        Pending tenant = pending.computeIfAbsent(event.tenantId(), id -> new Pending());
        if (event.recounted()) {
            // the end's place and RUNNING count are the reconciliation's count's to put right; its status total is not
            tenant.jobs.merge(event.to(), 1L, Long::sum);
            return;
        }
        if (event.from() != event.to()) {
            if (event.from() != null) {
                tenant.jobs.merge(event.from(), -1L, Long::sum);
            }
            tenant.jobs.merge(event.to(), 1L, Long::sum);
        }
        // an admitted job's place was reserved before its write; an ended one gives it back
        if (event.ended()) {
            tenant.inFlight--;
        }
        if (event.cost() != null) {
            tenant.dollars = tenant.dollars.add(event.cost().dollars());
        }
    }

    @Override
    public void flush() {
        Map<String, Pending> written;
        synchronized (this) {
            written = new HashMap<>(pending);
            pending.clear();
        }
        written.forEach((tenantId, tenant) -> {
            try {
                tenants.apply(tenantId, new TenantStore.Delta(tenant.jobs, tenant.inFlight, tenant.dollars));
            } catch (RuntimeException e) {
                // the moves are written; the reconciliation's count puts this tenant's record right
                Log.warn("tenant.counts_not_written", "tenantId", tenantId, "reason", e.getMessage());
            }
        });
    }
}
