package dev.jobline.testing;

import dev.jobline.cost.CostModel;
import dev.jobline.cost.CostTotals;
import dev.jobline.job.Job;
import dev.jobline.job.JobType;
import dev.jobline.job.JobRegistry;
import dev.jobline.lifecycle.Chains;
import dev.jobline.lifecycle.ConcurrencyKeys;
import dev.jobline.lifecycle.JobLifecycle;
import dev.jobline.lifecycle.RunningLimits;
import dev.jobline.lifecycle.TenantLedger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A lifecycle on doubles, for unit tests: an in-memory table and tenants (the ledger as listener and admission), a
 * recording listener, the chains (releasing dependent jobs to {@link #chainQueue}), a clock that moves only when told.
 */
public final class Lifecycle {
    public final TestClock clock = new TestClock(Instant.parse("2026-11-30T10:00:00Z"));
    public final InMemoryJobStore store = new InMemoryJobStore(Duration.ofMinutes(15));
    public final InMemoryTenantStore tenants;
    public final RecordingListener recorded = new RecordingListener();
    public final InMemoryKeyStore keyStore = new InMemoryKeyStore();
    public final InMemoryLimitStore limitStore = new InMemoryLimitStore();
    public final ConcurrencyKeys keys;
    public final RunningLimits limits;
    public final JobLifecycle lifecycle;
    /** Where the chains send the dependent jobs they release. */
    public final InMemoryQueue chainQueue = new InMemoryQueue();
    public final Chains chains;
    /**
     * The same lifecycle without the chains listener: a move made through it is an invocation that died after its
     * write, before the dependents were released (what the sweeper recovers).
     */
    public final JobLifecycle unchained;

    public Lifecycle(int maxInFlight) {
        this(maxInFlight, JobRegistry.builder().build(), 0);
    }

    /** With concurrency keys and running limits: the types' limits in {@code registry}, and a per-tenant cap (0: none). */
    public Lifecycle(int maxInFlight, JobRegistry registry, int tenantMaxRunning) {
        this.tenants = new InMemoryTenantStore(maxInFlight);
        TenantLedger ledger = new TenantLedger(tenants);
        this.keys = new ConcurrencyKeys(keyStore, store);
        this.limits = new RunningLimits(limitStore, registry, tenantMaxRunning);
        this.chains = new Chains(store, chainQueue);
        this.lifecycle = new JobLifecycle(store, ledger, keys, List.of(ledger, keys, limits, recorded, chains), clock);
        chains.bind(lifecycle);
        this.unchained = new JobLifecycle(store, ledger, keys, List.of(ledger, keys, limits, recorded), clock);
    }

    /** A new job of tenant-a, as a submission builds it. */
    public Job newJob(String jobId, JobType type) {
        return Job.submitted(jobId, "tenant-a", type, "{}", type.maxAttempts(), (int) type.timeout().toSeconds(), clock.instant())
                .withCost(CostTotals.of(CostModel.submit(1)));
    }

    /** A job created through the lifecycle (room taken, counted) and flushed. */
    public Job created(String jobId, JobType type) {
        Job job = lifecycle.create(newJob(jobId, type), CostModel.submit(1)).orElseThrow();
        lifecycle.flush();
        return job;
    }
}
