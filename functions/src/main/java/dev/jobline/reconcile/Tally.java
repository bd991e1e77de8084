package dev.jobline.reconcile;

import dev.jobline.job.JobStatus;
import dev.jobline.json.Json;
import dev.jobline.log.Log;
import dev.jobline.store.JobStore.ScannedJob;
import dev.jobline.store.TenantStore;
import dev.jobline.store.TenantStore.InFlightCounts;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one reconciliation pass counts, kept in its run record between invocations: per tenant and per type the jobs
 * WAITING, QUEUED (LIMITED: held back by a full concurrency limit) and RUNNING, the oldest wait, and each tenant's
 * record as it was when the pass began (a fingerprint), so that only a tenant whose record did not move while the pass
 * read is corrected: a busy tenant's count is corrected at a quieter pass.
 */
final class Tally {
    private final Map<String, String> fingerprints;
    private final Map<String, InFlightCounts> byTenant;
    private final Map<String, InFlightCounts> byType;
    private Instant oldestQueuedAt;

    private Tally(Map<String, String> fingerprints, Map<String, InFlightCounts> byTenant, Map<String, InFlightCounts> byType,
                  Instant oldestQueuedAt) {
        this.fingerprints = fingerprints;
        this.byTenant = byTenant;
        this.byType = byType;
        this.oldestQueuedAt = oldestQueuedAt;
    }

    /** A pass begins: the tenants' records as they are now. */
    static Tally begin(Map<String, TenantStore.TenantCounts> records) {
        Map<String, String> fingerprints = new TreeMap<>();
        records.forEach((tenant, counts) -> fingerprints.put(tenant, fingerprint(counts)));
        return new Tally(fingerprints, new TreeMap<>(), new TreeMap<>(), null);
    }

    /**
     * Any write to a tenant's record changes some number of it (a move changes two statuses' counts, a submit the
     * window's, an attempt's end the dollars): equal fingerprints mean the record did not move, but for moves that
     * cancel out exactly (a claim given back), which the next pass settles.
     */
    static String fingerprint(TenantStore.TenantCounts counts) {
        return Integer.toHexString(counts.toString().hashCode());
    }

    void count(ScannedJob job, Instant now) {
        if (job.status().isTerminal()) {
            return;
        }
        boolean limited = job.waitingFor() != null;
        byTenant.merge(job.tenantId(), InFlightCounts.NONE.plus(job.status(), limited), (was, one) -> was.plus(job.status(), limited));
        byType.merge(job.type(), InFlightCounts.NONE.plus(job.status(), limited), (was, one) -> was.plus(job.status(), limited));
        if (job.status() == JobStatus.QUEUED && job.queuedAt() != null && !job.queuedAt().isAfter(now)
                && (oldestQueuedAt == null || job.queuedAt().isBefore(oldestQueuedAt))) {
            oldestQueuedAt = job.queuedAt();
        }
    }

    /** What the pass found in flight, for /stats and the dashboard. */
    TenantStore.InFlightSnapshot snapshot(Instant countedAt) {
        return new TenantStore.InFlightSnapshot(countedAt, byType, byTenant, oldestQueuedAt);
    }

    /** A tenant's record, and what to add to it to make its counts what the pass found. */
    record Correction(String tenantId, TenantStore.Delta delta) {
    }

    /**
     * The corrections of the tenants whose records are as they were when the pass began ({@code now}: read after the
     * pass). A tenant the pass found that no record lists is registered: it is corrected at the next pass, whose start
     * knows it.
     */
    List<Correction> corrections(TenantStore tenants) {
        List<String> unknown = new ArrayList<>();
        for (String tenant : byTenant.keySet()) {
            if (!fingerprints.containsKey(tenant)) {
                unknown.add(tenant);
            }
        }
        if (!unknown.isEmpty()) {
            tenants.register(unknown);
        }
        List<Correction> corrections = new ArrayList<>();
        Map<String, TenantStore.TenantCounts> now = tenants.read(fingerprints.keySet());
        for (Map.Entry<String, TenantStore.TenantCounts> entry : now.entrySet()) {
            String tenant = entry.getKey();
            TenantStore.TenantCounts recorded = entry.getValue();
            if (!fingerprint(recorded).equals(fingerprints.get(tenant))) {
                Log.info("reconcile.tenant_moved", "tenantId", tenant);
                continue;
            }
            InFlightCounts found = byTenant.getOrDefault(tenant, InFlightCounts.NONE);
            Map<JobStatus, Long> off = new EnumMap<>(JobStatus.class);
            off.put(JobStatus.WAITING, found.waiting() - recorded.jobs().getOrDefault(JobStatus.WAITING, 0L));
            off.put(JobStatus.QUEUED, found.queued() - recorded.jobs().getOrDefault(JobStatus.QUEUED, 0L));
            off.put(JobStatus.RUNNING, found.running() - recorded.jobs().getOrDefault(JobStatus.RUNNING, 0L));
            long inFlightOff = found.waiting() + found.queued() + found.running() - recorded.inFlight();
            TenantStore.Delta delta = new TenantStore.Delta(off, inFlightOff, BigDecimal.ZERO);
            if (!delta.isEmpty()) {
                corrections.add(new Correction(tenant, delta));
            }
        }
        return corrections;
    }

    // ---- kept in the run record between invocations, as JSON

    String json() {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("fingerprints", fingerprints);
        all.put("tenants", write(byTenant));
        all.put("types", write(byType));
        if (oldestQueuedAt != null) {
            all.put("oldestQueuedAt", oldestQueuedAt.toEpochMilli());
        }
        return Json.write(all);
    }

    @SuppressWarnings("unchecked")
    static Tally parse(String json) {
        Map<String, Object> all = Json.parseObject(json);
        Map<String, String> fingerprints = new TreeMap<>();
        ((Map<String, Object>) all.getOrDefault("fingerprints", Map.of())).forEach((tenant, fp) -> fingerprints.put(tenant, (String) fp));
        Object oldest = all.get("oldestQueuedAt");
        return new Tally(fingerprints, read(all.get("tenants")), read(all.get("types")),
                oldest == null ? null : Instant.ofEpochMilli(((Number) oldest).longValue()));
    }

    private static Map<String, List<Long>> write(Map<String, InFlightCounts> counts) {
        Map<String, List<Long>> written = new TreeMap<>();
        counts.forEach((name, n) -> written.put(name, List.of(n.queued(), n.running(), n.limited(), n.waiting())));
        return written;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, InFlightCounts> read(Object stored) {
        Map<String, InFlightCounts> counts = new TreeMap<>();
        if (stored instanceof Map<?, ?> map) {
            ((Map<String, List<Number>>) map).forEach((name, n) -> counts.put(name, new InFlightCounts(n.get(0).longValue(),
                    n.get(1).longValue(), n.get(2).longValue(), n.get(3).longValue())));
        }
        return counts;
    }
}
