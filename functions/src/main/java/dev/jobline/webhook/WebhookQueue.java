package dev.jobline.webhook;

import dev.jobline.queue.JobQueue;
import dev.jobline.queue.ReceivedMessage;
import java.time.Duration;

/**
 * The queue of completion webhooks to deliver: a message carries a job id only, the body is read
 * from the job when it is sent. Calls throw {@link JobQueue.QueueUnavailable} when they fail.
 */
public interface WebhookQueue {

    /** Queues the job's webhook; the tenant is the message group (SQS fair queues: one tenant's burst waits behind no one). */
    void send(String jobId, String tenantId);

    /** Keeps a received message hidden for the given time from now: a failed delivery's backoff. */
    void hide(ReceivedMessage message, Duration visibility);
}
