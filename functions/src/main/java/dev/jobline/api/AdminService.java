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
import dev.jobline.store.TypeActivityStore;
import dev.jobline.store.TypePauses;
import dev.jobline.metrics.Histogram;
import dev.jobline.metrics.TypeActivity;
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
    private final TypePauses pauses;
    private final TypeActivityStore activity;

    /** @param tenantMaxRunning the deployment's cap on one tenant's running jobs (0: none), for GET /job-types */
    public AdminService(JobService jobs, JobStore store, TenantStore tenants, JobQueue queue, QueueAdmin queues,
                        JobRegistry registry, Clock clock, int tenantMaxRunning) {
        this(jobs, store, tenants, queue, queues, registry, clock, tenantMaxRunning, TypePauses.NONE, null);
    }

    private AdminService(JobService jobs, JobStore store, TenantStore tenants, JobQueue queue, QueueAdmin queues,
                         JobRegistry registry, Clock clock, int tenantMaxRunning, TypePauses pauses, TypeActivityStore activity) {
        this.tenantMaxRunning = tenantMaxRunning;
        this.pauses = pauses;
        this.activity = activity;
        this.jobs = jobs;
        this.store = store;
        this.tenants = tenants;
        this.queue = queue;
        this.queues = queues;
        this.registry = registry;
        this.clock = clock;
    }

    /** The same service, with the types' pauses and last-hour figures (null: /stats has none). */
    public AdminService withTypes(TypePauses newPauses, TypeActivityStore newActivity) {
        return new AdminService(jobs, store, tenants, queue, queues, registry, clock, tenantMaxRunning, newPauses, newActivity);
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
        answer.put("inFlightJobs", totals.get(JobStatus.WAITING) + totals.get(JobStatus.QUEUED) + totals.get(JobStatus.RUNNING));
        answer.put("oldestQueuedAgeSeconds", oldest == null ? 0 : Math.max(0, Duration.between(oldest, now).toSeconds()));
        // QUEUED includes LIMITED: due, but held back by a full concurrency limit
        answer.put("inFlightByType", byType);
        answer.put("inFlightByTenant", inFlightByTenant);
        answer.put("countedAt", counted.map(snapshot -> snapshot.countedAt().toString()).orElse(null));
        answer.put("byTenant", byTenant);
        Map<String, Object> paused = new LinkedHashMap<>();
        pauses.paused().forEach((type, since) -> paused.put(type, since.toString()));
        answer.put("pausedTypes", paused);
        if (activity != null) {
            answer.put("lastHour", lastHour(now));
        }
        // dollars per tenant at the dated on-demand prices, as the functions counted them (see dev.jobline.cost)
        answer.put("costByTenant", costs);
        answer.put("costPricesAsOf", OnDemandPrices.AS_OF.toString());
        return answer;
    }

    private static Map<String, Object> view(TenantStore.InFlightCounts counts) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("QUEUED", counts.queued());
        view.put("RUNNING", counts.running());
        view.put("LIMITED", counts.limited());
        // waiting for the jobs they depend on (not QUEUED yet)
        view.put("WAITING", counts.waiting());
        return view;
    }

    /**
     * Per type, what the last hour's buckets hold: the {@value #HOUR_BUCKETS} buckets of {@link TypeActivity#BUCKET_MINUTES}
     * minutes that end with the current one, so 60 to 65 minutes, from {@code from} to now. Ends are counted when they
     * happen (a job submitted before the window and ended in it counts as ended, not submitted); the failure rate is
     * failed / (succeeded + failed); run time is per attempt (retried attempts included), queue wait per claim, both
     * the upper bound of a fixed histogram bucket.
     */
    Map<String, Object> lastHour(Instant now) {
        Instant current = TypeActivity.bucketOf(now);
        List<Instant> buckets = new ArrayList<>();
        for (int i = HOUR_BUCKETS - 1; i >= 0; i--) {
            buckets.add(current.minus(TypeActivity.BUCKET.multipliedBy(i)));
        }
        List<String> types = registry.all().stream().map(JobType::name).toList();
        Map<String, Object> byType = new LinkedHashMap<>();
        activity.read(types, buckets).forEach((type, figures) -> {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("submitted", figures.submitted());
            view.put("succeeded", figures.succeeded());
            view.put("failed", figures.failed());
            view.put("cancelled", figures.cancelled());
            long ended = figures.succeeded() + figures.failed();
            view.put("failureRate", ended == 0 ? null : (double) figures.failed() / ended);
            view.put("runTime", latency(figures.runTime()));
            view.put("queueWait", latency(figures.queueWait()));
            byType.put(type, view);
        });
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("from", buckets.get(0).toString());
        answer.put("to", now.toString());
        answer.put("bucketMinutes", TypeActivity.BUCKET_MINUTES);
        answer.put("byType", byType);
        return answer;
    }

    private static final int HOUR_BUCKETS = 60 / TypeActivity.BUCKET_MINUTES + 1;

    private static Map<String, Object> latency(long[] histogram) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("count", Histogram.count(histogram));
        view.put("p50Millis", Histogram.percentile(histogram, 0.50));
        view.put("p95Millis", Histogram.percentile(histogram, 0.95));
        return view;
    }

    /** A registered type, or {@link Refusal.NotFound}. */
    private JobType type(String name) {
        return registry.find(name).orElseThrow(() -> new Refusal.NotFound("job type " + name));
    }

    /** Pauses a type: its QUEUED jobs wait until it is resumed; the ones running finish. */
    Map<String, Object> pause(String typeName) {
        JobType type = type(typeName);
        Instant since = pauses.pause(type.name(), clock.instant());
        Log.info("admin.type_paused", "type", type.name(), "pausedAt", since);
        return typeView(type, since);
    }

    Map<String, Object> resume(String typeName) {
        JobType type = type(typeName);
        boolean resumed = pauses.resume(type.name());
        Log.info("admin.type_resumed", "type", type.name(), "wasPaused", resumed);
        return typeView(type, null);
    }

    /** The kept dead letters, newest first: what each was (its body cut to a preview) and why it was kept. */
    Map<String, Object> deadLetters(int limit, String cursor) {
        JobStore.DeadLetterPage page = store.keptDeadLetters(limit, cursor);
        List<Map<String, Object>> letters = new ArrayList<>();
        for (dev.jobline.store.DeadLetter letter : page.letters()) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("messageId", letter.messageId());
            view.put("receivedAt", letter.receivedAt().toString());
            view.put("receiveCount", letter.receiveCount());
            view.put("reason", letter.reason());
            String body = letter.body() == null ? "" : letter.body();
            view.put("bodyBytes", body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
            view.put("bodyPreview", body.length() > DEAD_LETTER_PREVIEW ? body.substring(0, DEAD_LETTER_PREVIEW) : body);
            view.put("attributes", letter.attributes());
            letters.add(view);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        Map<String, QueueAdmin.Depth> depths = queues.depths();
        QueueAdmin.Depth deadLetterQueue = depths.getOrDefault("deadLetter", new QueueAdmin.Depth(0, 0, 0));
        answer.put("deadLetterQueue", Map.of("visible", deadLetterQueue.visible(), "inFlight", deadLetterQueue.inFlight(),
                "delayed", deadLetterQueue.delayed()));
        answer.put("kept", letters);
        if (page.nextCursor() != null) {
            answer.put("nextCursor", page.nextCursor());
        }
        return answer;
    }

    private static final int DEAD_LETTER_PREVIEW = 512;

    /** Every tenant that ever submitted a job. */
    List<String> tenantIds() {
        return tenants.tenants();
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
        Map<String, Instant> paused = pauses.paused();
        List<Map<String, Object>> types = new ArrayList<>();
        for (JobType type : registry.all()) {
            types.add(typeView(type, paused.get(type.name())));
        }
        return types;
    }

    private Map<String, Object> typeView(JobType type, Instant pausedAt) {
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
        view.put("paused", pausedAt != null);
        if (pausedAt != null) {
            view.put("pausedAt", pausedAt.toString());
        }
        return view;
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
            for (JobStore.FailedJob failed : matched) {
                try {
                    // the same transition as a tenant's retry: message sent, then quota taken, counted, announced
                    Job current = store.find(failed.jobId()).orElseThrow(() -> new Refusal.NotFound(failed.jobId()));
                    Job job = jobs.requeue(current, Cause.ADMIN);
                    requeued.add(job.jobId());
                } catch (Refusal | JobQueue.QueueUnavailable refusal) {
                    // retried since it was listed, its tenant is at its limit, or its message could not be sent: left
                    // as it is (FAILED), and said so
                    refused.add(failed.jobId());
                    Log.info("admin.redrive_refused", "jobId", failed.jobId(), "reason", refusal.getMessage());
                }
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
