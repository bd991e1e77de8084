package dev.jobline.api;

import dev.jobline.cost.OnDemandPrices;
import dev.jobline.job.Job;
import dev.jobline.job.JobRegistry;
import dev.jobline.job.JobStatus;
import dev.jobline.job.JobType;
import dev.jobline.job.KeyRule;
import dev.jobline.job.Refusal;
import dev.jobline.lifecycle.Cause;
import dev.jobline.log.Log;
import dev.jobline.queue.JobMessage;
import dev.jobline.queue.JobQueue;
import dev.jobline.queue.QueueAdmin;
import dev.jobline.store.JobStore;
import dev.jobline.store.TenantStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What operators ask: statistics, health, the job types, and redriving failed jobs. */
public final class AdminService {
    private final JobService jobs;
    private final JobStore store;
    private final TenantStore tenants;
    private final JobQueue queue;
    private final QueueAdmin queues;
    private final JobRegistry registry;
    private final Clock clock;
    private final int tenantMaxRunning;

    /** @param tenantMaxRunning the deployment's cap on one tenant's running jobs (0: none), for GET /job-types */
    public AdminService(JobService jobs, JobStore store, TenantStore tenants, JobQueue queue, QueueAdmin queues,
                        JobRegistry registry, Clock clock, int tenantMaxRunning) {
        this.tenantMaxRunning = tenantMaxRunning;
        this.jobs = jobs;
        this.store = store;
        this.tenants = tenants;
        this.queue = queue;
        this.queues = queues;
        this.registry = registry;
        this.clock = clock;
    }

    /**
     * Jobs per status summed over the tenants' records; in flight per type and the oldest wait as the sweeper last
     * counted them; per tenant; the queues' depths; dollars per tenant.
     */
    Map<String, Object> stats() {
        Instant now = clock.instant();
        Map<String, TenantStore.TenantCounts> perTenant = tenants.read(tenants.tenants());
        Map<JobStatus, Long> totals = new EnumMap<>(JobStatus.class);
        for (JobStatus status : JobStatus.values()) {
            totals.put(status, 0L);
        }
        Map<String, Object> byTenant = new LinkedHashMap<>();
        Map<String, Object> costs = new LinkedHashMap<>();
        perTenant.forEach((tenant, counts) -> {
            counts.jobs().forEach((status, n) -> totals.merge(status, n, Long::sum));
            Map<String, Object> view = new LinkedHashMap<>();
            counts.jobs().forEach((status, n) -> view.put(status.name(), n));
            view.put("inFlight", counts.inFlight());
            byTenant.put(tenant, view);
            if (counts.dollars().signum() != 0) {
                costs.put(tenant, counts.dollars().doubleValue());
            }
        });
        Map<String, Object> jobCounts = new LinkedHashMap<>();
        totals.forEach((status, n) -> jobCounts.put(status.name(), n));
        Map<String, Object> depths = new LinkedHashMap<>();
        queues.depths().forEach((name, depth) -> depths.put(name,
                Map.of("visible", depth.visible(), "inFlight", depth.inFlight(), "delayed", depth.delayed())));
        Optional<TenantStore.InFlightSnapshot> counted = tenants.snapshot();
        Map<String, Object> byType = new LinkedHashMap<>();
        Map<String, Object> inFlightByTenant = new LinkedHashMap<>();
        counted.ifPresent(snapshot -> {
            snapshot.byType().forEach((type, n) -> byType.put(type, view(n)));
            snapshot.byTenant().forEach((tenant, n) -> inFlightByTenant.put(tenant, view(n)));
        });
        Instant oldest = counted.map(TenantStore.InFlightSnapshot::oldestQueuedAt).orElse(null);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("jobs", jobCounts);
        answer.put("queues", depths);
        answer.put("inFlightJobs", totals.get(JobStatus.QUEUED) + totals.get(JobStatus.RUNNING));
        answer.put("oldestQueuedAgeSeconds", oldest == null ? 0 : Math.max(0, Duration.between(oldest, now).toSeconds()));
        // QUEUED includes WAITING: due, but held back by a full concurrency limit
        answer.put("inFlightByType", byType);
        answer.put("inFlightByTenant", inFlightByTenant);
        answer.put("countedAt", counted.map(snapshot -> snapshot.countedAt().toString()).orElse(null));
        answer.put("byTenant", byTenant);
        // dollars per tenant at the dated on-demand prices, as the functions counted them (see dev.jobline.cost)
        answer.put("costByTenant", costs);
        answer.put("costPricesAsOf", OnDemandPrices.AS_OF.toString());
        return answer;
    }

    private static Map<String, Object> view(TenantStore.InFlightCounts counts) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("QUEUED", counts.queued());
        view.put("RUNNING", counts.running());
        view.put("WAITING", counts.waiting());
        return view;
    }

    /** Which parts answer; the caller maps any failure to 503. */
    Map<String, Object> health() {
        Map<String, Object> checks = new LinkedHashMap<>();
        checks.put("table", probe(() -> store.find("health#probe")));
        checks.put("queues", probe(queues::depths));
        boolean healthy = checks.values().stream().allMatch("ok"::equals);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("status", healthy ? "ok" : "unavailable");
        answer.put("checks", checks);
        return answer;
    }

    /**
     * Every registered type: what it is for, its attempts, timeout and retry backoff, its concurrency limits (with
     * the deployment's per-tenant running cap, which applies to every type together) and its concurrency keys.
     */
    List<Map<String, Object>> jobTypes() {
        List<Map<String, Object>> types = new ArrayList<>();
        for (JobType type : registry.all()) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("name", type.name());
            view.put("purpose", type.purpose());
            view.put("maxAttempts", type.maxAttempts());
            view.put("timeoutSeconds", type.timeout().toSeconds());
            view.put("retry", Map.of("baseSeconds", type.retryPolicy().base().toSeconds(),
                    "capSeconds", type.retryPolicy().cap().toSeconds()));
            Map<String, Object> limits = new LinkedHashMap<>();
            // left out: no limit of this kind
            limits.put("maxConcurrent", type.maxConcurrent() > 0 ? type.maxConcurrent() : null);
            limits.put("maxConcurrentPerTenant", type.maxConcurrentPerTenant() > 0 ? type.maxConcurrentPerTenant() : null);
            limits.put("tenantMaxRunning", tenantMaxRunning > 0 ? tenantMaxRunning : null);
            view.put("limits", limits);
            KeyRule keys = type.keys();
            Map<String, Object> key = new LinkedHashMap<>();
            key.put("fromPayload", keys.payloadField());
            key.put("scope", keys.scope().label());
            key.put("defaultTtlSeconds", keys.defaultTtl().toSeconds());
            key.put("maxTtlSeconds", keys.maxTtl().toSeconds());
            view.put("concurrencyKey", key);
            types.add(view);
        }
        return types;
    }

    /** Which failed jobs to re-queue. Null fields match anything. */
    record RedriveFilter(String type, String reason, Instant from, Instant to, boolean dryRun, int limit,
                         boolean moveDeadLetterMessages) {
    }

    Map<String, Object> redrive(RedriveFilter filter) {
        List<JobStore.FailedJob> matched = new ArrayList<>();
        for (int shard = 0; shard < store.shards() && matched.size() < filter.limit(); shard++) {
            String cursor = null;
            do {
                JobStore.FailedPage page = store.findFailed(shard, filter.from(), filter.to(), 100, cursor);
                for (JobStore.FailedJob job : page.jobs()) {
                    if (matched.size() < filter.limit() && matches(job, filter)) {
                        matched.add(job);
                    }
                }
                cursor = page.nextCursor();
            } while (cursor != null && matched.size() < filter.limit());
        }
        List<String> requeued = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        if (!filter.dryRun()) {
            List<JobMessage> messages = new ArrayList<>();
            for (JobStore.FailedJob failed : matched) {
                try {
                    // the same transition as a tenant's retry: quota taken, counted, announced
                    Job current = store.find(failed.jobId()).orElseThrow(() -> new Refusal.NotFound(failed.jobId()));
                    Job job = jobs.requeue(current, Cause.ADMIN);
                    requeued.add(job.jobId());
                    JobService.messageFor(job, clock.instant()).ifPresent(messages::add);
                } catch (Refusal refusal) {
                    // retried since it was listed, or its tenant is at its limit: left as it is, and said so
                    refused.add(failed.jobId());
                    Log.info("admin.redrive_refused", "jobId", failed.jobId(), "reason", refusal.getMessage());
                }
            }
            for (JobMessage unsent : messages.isEmpty() ? List.<JobMessage>of() : queue.sendAll(messages)) {
                Log.warn("job.send_deferred", "jobId", unsent.jobId());
            }
            Log.info("admin.redrive", "matched", matched.size(), "requeued", requeued.size(), "refused", refused.size());
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("dryRun", filter.dryRun());
        answer.put("matched", matched.size());
        answer.put("requeued", requeued.size());
        answer.put("jobIds", matched.stream().map(JobStore.FailedJob::jobId).limit(100).toList());
        if (filter.moveDeadLetterMessages()) {
            answer.put("deadLetterMove", filter.dryRun()
                    ? Map.of("started", false, "deadLetterQueue", queues.depths().getOrDefault("deadLetter", new QueueAdmin.Depth(0, 0, 0)).visible())
                    : Map.of("started", true, "taskHandle", queues.moveDeadLettersBack()));
        }
        return answer;
    }

    private static boolean matches(JobStore.FailedJob job, RedriveFilter filter) {
        if (filter.type() != null && !filter.type().equals(job.type())) {
            return false;
        }
        return filter.reason() == null || (job.error() != null && filter.reason().equals(job.error().code()));
    }

    private static String probe(Runnable call) {
        try {
            call.run();
            return "ok";
        } catch (RuntimeException e) {
            Log.warn("health.check_failed", "reason", e.getMessage());
            return "unavailable";
        }
    }
}
