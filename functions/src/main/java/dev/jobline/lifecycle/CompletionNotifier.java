package dev.jobline.lifecycle;

import dev.jobline.job.Job;
import dev.jobline.log.Log;
import dev.jobline.store.JobStore;
import dev.jobline.webhook.WebhookQueue;

/**
 * Announces a job's end: a listener of the lifecycle, told of every move. A job with a callbackUrl that ends gets a
 * message on the webhooks queue (the webhook function delivers it) and its webhook recorded PENDING. Nothing here can
 * fail the job's completion.
 */
public final class CompletionNotifier implements JobListener {
    /** Announces nothing: for functions wired without a webhooks queue. */
    public static final CompletionNotifier NONE = new CompletionNotifier(null, null);

    private final WebhookQueue queue;
    private final JobStore store;

    /** @param queue null when this function has no webhooks queue (a job with a callbackUrl is then logged, not announced) */
    public CompletionNotifier(WebhookQueue queue, JobStore store) {
        this.queue = queue;
        this.store = store;
    }

    @Override
    public void moved(JobMoved event) {
        if (event.ended()) {
            jobEnded(event.job());
        }
    }

    private void jobEnded(Job job) {
        if (job.callbackUrl() == null) {
            return;
        }
        if (queue == null) {
            Log.warn("webhook.not_configured", "jobId", job.jobId(), "tenantId", job.tenantId(),
                    "reason", "WEBHOOKS_QUEUE_URL is not set for this function");
            return;
        }
        try {
            queue.send(job.jobId(), job.tenantId());
        } catch (RuntimeException e) {
            // the webhook is lost: no sweeper re-sends it. The job shows no webhook record at all, which
            // tells the tenant it was never queued (PENDING is written only after a send that worked).
            Log.error("webhook.not_queued", e, "jobId", job.jobId(), "tenantId", job.tenantId());
            return;
        }
        try {
            if (!store.webhookQueued(job.jobId(), job.finishedAt())) {
                Log.info("webhook.pending_not_recorded", "jobId", job.jobId(), "reason", "an outcome is recorded already");
            }
        } catch (RuntimeException e) {
            // the message is on its way; the delivery records its own outcome
            Log.warn("webhook.pending_not_recorded", "jobId", job.jobId(), "reason", e.getMessage());
        }
        Log.info("webhook.queued", "jobId", job.jobId(), "tenantId", job.tenantId(), "status", job.status());
    }
}
