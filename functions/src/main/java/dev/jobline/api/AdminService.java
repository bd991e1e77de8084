package dev.jobline.api;

import dev.jobline.job.JobRegistry;
import dev.jobline.job.JobStatus;
import dev.jobline.job.JobType;
import dev.jobline.log.Log;
import dev.jobline.metrics.JobMetrics.Cause;
import dev.jobline.queue.JobMessage;
import dev.jobline.queue.JobQueue;
import dev.jobline.queue.QueueAdmin;
import dev.jobline.store.JobCounters;
import dev.jobline.store.JobStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What operators ask: statistics, health, the job types, and redriving failed jobs. */
final class AdminService {
    private final JobStore store;
    private final JobQueue queue;
    private final QueueAdmin queues;
    private final JobCounters counters;
    private final JobRegistry registry;
    private final Clock clock;

    AdminService(JobStore store, JobQueue queue, QueueAdmin queues, JobCounters counters, JobRegistry registry, Clock clock) {
        this.store = store;
        this.queue = queue;
        this.queues = queues;
        this.counters = counters;
        this.registry = registry;
        this.clock = clock;
    }

    Map<String, Object> stats() {
        Instant now = clock.instant();
        Map<String, Object> jobs = new LinkedHashMap<>();
        JobCounters.Totals totals = counters.read();
        totals.jobs().forEach((status, count) -> jobs.put(status.name(), count));
        Map<String, Object> costs = new LinkedHashMap<>();
        totals.costByTenant().forEach((tenant, dollars) -> costs.put(tenant, dollars.doubleValue()));
        Map<String, Object> depths = new LinkedHashMap<>();
        queues.depths().forEach((name, depth) -> depths.put(name,
                Map.of("visible", depth.visible(), "inFlight", depth.inFlight(), "delayed", depth.delayed())));
        Instant oldest = null;
        int inFlight = 0;
        for (int shard = 0; shard < store.shards(); shard++) {
            JobStore.InFlight shardInFlight = store.inFlight(shard, now);
            inFlight += shardInFlight.count();
            Instant queuedAt = shardInFlight.oldestQueuedAt();
            if (queuedAt != null && (oldest == null || queuedAt.isBefore(oldest))) {
                oldest = queuedAt;
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("jobs", jobs);
        answer.put("queues", depths);
        answer.put("inFlightJobs", inFlight);
        answer.put("oldestQueuedAgeSeconds", oldest == null ? 0 : Duration.between(oldest, now).toSeconds());
        // dollars per tenant at the dated on-demand prices, as the functions counted them (see dev.jobline.cost)
        answer.put("costByTenant", costs);
        answer.put("costPricesAsOf", dev.jobline.cost.OnDemandPrices.AS_OF.toString());
        return answer;
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

    List<Map<String, Object>> jobTypes() {
        List<Map<String, Object>> types = new ArrayList<>();
        for (JobType type : registry.all()) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("name", type.name());
            view.put("maxAttempts", type.maxAttempts());
            view.put("timeoutSeconds", type.timeout().toSeconds());
            view.put("retry", Map.of("baseSeconds", type.retryPolicy().base().toSeconds(),
                    "capSeconds", type.retryPolicy().cap().toSeconds()));
            types.add(view);
        }
        return types;
    }

    /** Which failed jobs to re-queue. Null fields match anything. */
    record RedriveFilter(String type, String reason, Instant from, Instant to, boolean dryRun, int limit,
                         boolean moveDeadLetterMessages) {
    }

    Map<String, Object> redrive(RedriveFilter filter) {
        Instant now = clock.instant();
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
        if (!filter.dryRun()) {
            List<JobMessage> messages = new ArrayList<>();
            for (JobStore.FailedJob job : matched) {
                if (store.retry(job.jobId(), job.tenantId(), now).isPresent()) {
                    counters.moved(job.tenantId(), job.type(), JobStatus.FAILED, JobStatus.QUEUED, Cause.TENANT);
                    requeued.add(job.jobId());
                    messages.add(new JobMessage(job.jobId(), job.tenantId(), job.type(), job.priority()));
                }
            }
            for (JobMessage unsent : messages.isEmpty() ? List.<JobMessage>of() : queue.sendAll(messages)) {
                Log.warn("job.send_deferred", "jobId", unsent.jobId());
            }
            Log.info("admin.redrive", "matched", matched.size(), "requeued", requeued.size());
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
