package dev.jobline.api;

import dev.jobline.job.Job;
import dev.jobline.log.Log;
import dev.jobline.queue.JobMessage;
import dev.jobline.queue.JobQueue;
import dev.jobline.store.JobStore;
import java.time.Clock;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Accepts a job: writes it, then wakes a worker. The write is what counts; a lost send leaves a
 * QUEUED job whose sweepAt comes due, and the sweeper sends it then.
 */
final class Submitter {
    private final JobStore store;
    private final JobQueue queue;
    private final Clock clock;
    private final Supplier<String> ids;

    Submitter(JobStore store, JobQueue queue, Clock clock, Supplier<String> ids) {
        this.store = store;
        this.queue = queue;
        this.clock = clock;
        this.ids = ids;
    }

    static Supplier<String> randomIds() {
        return () -> UUID.randomUUID().toString();
    }

    Job submit(String tenantId, SubmitRequest request) {
        Job job = Job.submitted(ids.get(), tenantId, request.type(), request.payloadJson(),
                request.maxAttempts(), request.timeoutSeconds(), clock.instant());
        if (!store.create(job)) {
            throw new IllegalStateException("job id " + job.jobId() + " is already taken");
        }
        Log.info("job.submitted", "jobId", job.jobId(), "tenantId", tenantId, "type", job.type());
        try {
            queue.send(new JobMessage(job.jobId(), tenantId, job.type()));
        } catch (JobQueue.QueueUnavailable e) {
            Log.warn("job.send_deferred", "jobId", job.jobId(), "tenantId", tenantId, "reason", e.getMessage());
        }
        return job;
    }
}
