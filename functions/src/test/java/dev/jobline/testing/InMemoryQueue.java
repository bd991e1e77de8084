package dev.jobline.testing;

import dev.jobline.queue.JobMessage;
import dev.jobline.queue.JobQueue;
import dev.jobline.queue.ReceivedMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@link JobQueue} in memory, for unit tests: what was sent and hidden, and sends or hides that can be made to fail. */
public final class InMemoryQueue implements JobQueue {
    public final List<JobMessage> sent = new ArrayList<>();
    public final List<Duration> hidden = new ArrayList<>();
    /** Copies of received messages sent again, with their delays. */
    public final List<ReceivedMessage> resent = new ArrayList<>();
    public final List<Duration> resendDelays = new ArrayList<>();
    private boolean failSends;
    private boolean failHides;

    public synchronized void failSends() {
        failSends = true;
    }

    public synchronized void healSends() {
        failSends = false;
    }

    public synchronized void failHides() {
        failHides = true;
    }

    @Override
    public synchronized void send(JobMessage message) {
        if (failSends) {
            throw new QueueUnavailable("injected failure of a send", null);
        }
        sent.add(message);
    }

    @Override
    public synchronized List<JobMessage> sendAll(List<JobMessage> messages) {
        if (failSends) {
            return List.copyOf(messages);
        }
        sent.addAll(messages);
        return List.of();
    }

    @Override
    public synchronized void resend(ReceivedMessage message, Duration delay) {
        if (failSends) {
            throw new QueueUnavailable("injected failure of a send", null);
        }
        resent.add(message);
        resendDelays.add(delay);
    }

    @Override
    public synchronized void hide(ReceivedMessage message, Duration visibility) {
        if (failHides) {
            throw new QueueUnavailable("injected failure of a visibility change", null);
        }
        hidden.add(visibility);
    }

    /** A received message for a job, as the worker gets it from its event: its first receive. */
    public static ReceivedMessage received(String jobId, String messageId) {
        return received(jobId, messageId, 1);
    }

    /** The {@code receiveCount}th receive of a message for a job. */
    public static ReceivedMessage received(String jobId, String messageId, int receiveCount) {
        return new ReceivedMessage(messageId, new JobMessage(jobId, "t", "x", null).body(), "receipt-" + messageId + "-" + receiveCount,
                receiveCount, Map.of(), "arn:aws:sqs:us-east-1:000000000000:jobs");
    }

    /** The {@code receiveCount}th receive of a message for a job, which SQS says was sent at {@code sentAt}. */
    public static ReceivedMessage sentAt(String jobId, String messageId, int receiveCount, java.time.Instant sentAt) {
        return new ReceivedMessage(messageId, new JobMessage(jobId, "t", "x", null).body(), "receipt-" + messageId + "-" + receiveCount,
                receiveCount, Map.of("SentTimestamp", Long.toString(sentAt.toEpochMilli())), "arn:aws:sqs:us-east-1:000000000000:jobs");
    }

    /** As {@link #sentAt}, for a message sent before the write that takes the job to {@code writeVersion}. */
    public static ReceivedMessage sentBeforeWrite(String jobId, String messageId, java.time.Instant sentAt, long writeVersion) {
        return new ReceivedMessage(messageId, new JobMessage(jobId, "t", "x", null).body(), "receipt-" + messageId + "-1", 1,
                Map.of("SentTimestamp", Long.toString(sentAt.toEpochMilli()), JobMessage.WRITE_VERSION_ATTRIBUTE, Long.toString(writeVersion)),
                "arn:aws:sqs:us-east-1:000000000000:jobs");
    }

    /** The first receive of a message for a job of this tenant and type, with the attributes Jobline's sends set. */
    public static ReceivedMessage received(String jobId, String messageId, String tenantId, String type) {
        return new ReceivedMessage(messageId, new JobMessage(jobId, tenantId, type, null).body(), "receipt-" + messageId + "-1", 1,
                Map.of(JobMessage.TENANT_ATTRIBUTE, tenantId, JobMessage.TYPE_ATTRIBUTE, type),
                "arn:aws:sqs:us-east-1:000000000000:jobs");
    }

    public synchronized List<String> sentJobIds() {
        return sent.stream().map(JobMessage::jobId).toList();
    }

    public synchronized int sends() {
        return sent.size();
    }
}
