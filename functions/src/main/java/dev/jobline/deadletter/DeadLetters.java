package dev.jobline.deadletter;

import dev.jobline.job.Job;
import dev.jobline.job.JobError;
import dev.jobline.job.JobStatus;
import dev.jobline.job.WebhookDelivery;
import dev.jobline.lifecycle.JobLifecycle;
import dev.jobline.log.Log;
import dev.jobline.queue.JobMessage;
import dev.jobline.queue.JobQueue;
import dev.jobline.queue.ReceivedMessage;
import dev.jobline.store.DeadLetter;
import dev.jobline.store.JobStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Accounts for every message SQS moved to a dead-letter queue. From the jobs' DLQ: its job ends FAILED with reason
 * DEAD_LETTERED; from the webhooks' DLQ: its job's webhook is recorded FAILED with that reason. A message that names
 * no job is kept whole in the table. Only then is it acknowledged, so nothing leaves a DLQ unrecorded.
 *
 * <p>A job that an attempt is running under a live lease is not ended: the dead-lettered message was a copy, and a
 * fresh one, due when the lease can have ended, takes its place (a running job always has a message to bring it back).
 */
public final class DeadLetters {
    private final JobLifecycle lifecycle;
    private final JobStore store;
    private final JobQueue queue;
    private final Clock clock;
    private final String webhooksDeadLetterQueueArn;

    /** @param webhooksDeadLetterQueueArn the webhooks' DLQ, whose messages are webhook deliveries; null if none feeds this */
    public DeadLetters(JobLifecycle lifecycle, JobStore store, JobQueue queue, String webhooksDeadLetterQueueArn) {
        this.lifecycle = lifecycle;
        this.store = store;
        this.queue = queue;
        this.clock = lifecycle.clock();
        this.webhooksDeadLetterQueueArn = webhooksDeadLetterQueueArn;
    }

    /** Returns the ids of the messages that could not be recorded; they stay in the DLQ. */
    public List<String> process(List<ReceivedMessage> messages) {
        List<String> notRecorded = new ArrayList<>();
        for (ReceivedMessage message : messages) {
            Log.putContext("messageId", message.messageId());
            try {
                if (message.source() != null && message.source().equals(webhooksDeadLetterQueueArn)) {
                    recordWebhook(message);
                } else {
                    recordJob(message);
                }
            } catch (RuntimeException e) {
                Log.error("deadletter.not_recorded", e, "messageId", message.messageId());
                notRecorded.add(message.messageId());
            }
        }
        lifecycle.flush();
        return notRecorded;
    }

    private void recordJob(ReceivedMessage message) {
        Instant now = clock.instant();
        Optional<String> jobId = JobMessage.jobIdFrom(message.body());
        if (jobId.isEmpty()) {
            keep(message, "unreadable message body", now);
            return;
        }
        Optional<Job> before = store.find(jobId.get());
        if (before.isEmpty()) {
            keep(message, "names job " + jobId.get() + ", which does not exist", now);
            return;
        }
        Job job = before.get();
        if (job.status().isTerminal()) {
            Log.info("deadletter.job_already_finished", "jobId", job.jobId(), "status", job.status());
            return;
        }
        if (job.hasLiveLease(now)) {
            handOver(job, now);
            return;
        }
        if (job.status() == JobStatus.WAITING) {
            // not this message's job to end: it waits for its parents, and its release sends a message of its own
            Log.info("deadletter.job_waiting", "jobId", job.jobId());
            return;
        }
        JobError error = new JobError(JobError.DEAD_LETTERED,
                "the job's message was moved to the dead-letter queue after " + message.receiveCount() + " receives", false);
        if (lifecycle.failDeadLettered(job, error).isEmpty()) {
            // it ended, or an attempt claimed it, since it was read: the message comes back and is decided again
            throw new IllegalStateException("job " + job.jobId() + " changed while its dead letter was recorded");
        }
    }

    /** The running attempt keeps the job; a fresh message replaces the dead-lettered one (a failed send keeps it in the DLQ). */
    private void handOver(Job job, Instant now) {
        JobMessage replacement = JobMessage.arrivingAt(job, job.leaseExpiresAt().plusSeconds(1), now);
        queue.send(replacement);
        Log.info("deadletter.lease_held", "jobId", job.jobId(), "leaseExpiresAt", job.leaseExpiresAt(),
                "handedOverForSeconds", replacement.delay().toSeconds());
    }

    private void recordWebhook(ReceivedMessage message) {
        Instant now = clock.instant();
        Optional<String> jobId = JobMessage.jobIdFrom(message.body());
        if (jobId.isEmpty()) {
            keep(message, "unreadable webhook message body", now);
            return;
        }
        Optional<Job> found = store.find(jobId.get());
        if (found.isEmpty()) {
            Log.info("deadletter.webhook_skipped", "jobId", jobId.get(), "reason", "the job no longer exists");
            return;
        }
        Job job = found.get();
        WebhookDelivery current = job.webhook();
        boolean open = current == null || WebhookDelivery.PENDING.equals(current.status());
        if (!job.status().isTerminal() || job.finishedAt() == null || job.callbackUrl() == null || !open) {
            // delivered or failed already, or the job was retried since: nothing is left to record
            Log.info("deadletter.webhook_skipped", "jobId", job.jobId(), "status", job.status(),
                    "webhookStatus", current == null ? null : current.status());
            return;
        }
        int attempts = current == null ? 0 : current.attempts();
        WebhookDelivery failed = new WebhookDelivery(WebhookDelivery.FAILED, attempts,
                current == null ? null : current.lastStatusCode(),
                JobError.DEAD_LETTERED + ": the webhook's message was moved to the dead-letter queue after "
                        + message.receiveCount() + " receives" + (current == null || current.lastError() == null ? ""
                        : " (last error: " + current.lastError() + ")"),
                now);
        if (!store.recordWebhook(job.jobId(), job.finishedAt(), attempts, failed)) {
            throw new IllegalStateException("the webhook of job " + job.jobId() + " was recorded by another delivery meanwhile");
        }
        Log.warn("webhook.dead_lettered", "jobId", job.jobId(), "tenantId", job.tenantId(), "receiveCount", message.receiveCount());
    }

    private void keep(ReceivedMessage message, String reason, Instant now) {
        store.keepDeadLetter(new DeadLetter(message.messageId(), message.body(), message.attributes(),
                message.receiveCount(), reason, now));
        Log.warn("deadletter.kept", "reason", reason, "receiveCount", message.receiveCount());
    }
}
