package dev.jobline.testing;

import dev.jobline.job.JobStatus;
import dev.jobline.store.TenantStore;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@link TenantStore} in memory, for unit tests: the in-flight limit (no rate limit), counts and cost per tenant, and
 * writes that can be made to fail ({@link #failWrites}), as a table that refuses them does.
 */
public final class InMemoryTenantStore implements TenantStore {
    private final int maxInFlight;
    private final Map<String, Counts> tenants = new TreeMap<>();
    private InFlightSnapshot snapshot;
    private boolean failWrites;

    private static final class Counts {
        long inFlight;
        final Map<JobStatus, Long> jobs = new EnumMap<>(JobStatus.class);
        BigDecimal dollars = BigDecimal.ZERO;
    }

    public InMemoryTenantStore(int maxInFlight) {
        this.maxInFlight = maxInFlight;
    }

    /** From now on (until {@link #heal()}), every write of counts throws. */
    public synchronized void failWrites() {
        failWrites = true;
    }

    public synchronized void heal() {
        failWrites = false;
    }

    @Override
    public synchronized Decision reserve(String tenantId, int jobs, Delta counted, Instant now) {
        Counts counts = tenants.computeIfAbsent(tenantId, id -> new Counts());
        if (counts.inFlight + jobs > maxInFlight) {
            return new Decision(false, "maxInFlight", Duration.ofSeconds(30));
        }
        if (failWrites) {
            throw new IllegalStateException("injected failure of a tenant's counts write");
        }
        counts.inFlight += jobs;
        counted.jobs().forEach((status, n) -> counts.jobs.merge(status, n, Long::sum));
        counts.dollars = counts.dollars.add(counted.dollars());
        return Decision.GRANTED;
    }

    @Override
    public void unreserve(String tenantId, int jobs) {
        apply(tenantId, new Delta(Map.of(), -jobs, BigDecimal.ZERO));
    }

    @Override
    public synchronized void apply(String tenantId, Delta delta) {
        if (failWrites) {
            throw new IllegalStateException("injected failure of a tenant's counts write");
        }
        Counts counts = tenants.computeIfAbsent(tenantId, id -> new Counts());
        counts.inFlight = Math.max(0, counts.inFlight + delta.inFlight());
        delta.jobs().forEach((status, n) -> counts.jobs.merge(status, n, Long::sum));
        counts.dollars = counts.dollars.add(delta.dollars());
    }

    @Override
    public synchronized List<String> tenants() {
        return List.copyOf(tenants.keySet());
    }

    @Override
    public synchronized Map<String, TenantCounts> read(Collection<String> tenantIds) {
        Map<String, TenantCounts> read = new TreeMap<>();
        for (String id : tenantIds) {
            Counts counts = tenants.getOrDefault(id, new Counts());
            Map<JobStatus, Long> jobs = new EnumMap<>(JobStatus.class);
            for (JobStatus status : JobStatus.values()) {
                jobs.put(status, counts.jobs.getOrDefault(status, 0L));
            }
            read.put(id, new TenantCounts(id, counts.inFlight, 0, jobs, counts.dollars));
        }
        return read;
    }

    @Override
    public synchronized void register(Collection<String> tenantIds) {
        tenantIds.forEach(id -> tenants.computeIfAbsent(id, key -> new Counts()));
    }

    @Override
    public synchronized void saveSnapshot(InFlightSnapshot newSnapshot) {
        snapshot = newSnapshot;
    }

    @Override
    public synchronized Optional<InFlightSnapshot> snapshot() {
        return Optional.ofNullable(snapshot);
    }

    /** A tenant's record as a test reads it. */
    public TenantCounts of(String tenantId) {
        return read(List.of(tenantId)).get(tenantId);
    }
}
