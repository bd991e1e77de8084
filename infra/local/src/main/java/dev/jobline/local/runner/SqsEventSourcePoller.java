package dev.jobline.local.runner;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.jobline.local.EventSource;
import dev.jobline.local.LambdaSqsEvent;
import dev.jobline.local.LocalAws;
import dev.jobline.log.Log;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * One SQS event source of the template, run as Lambda's event source mapping runs it: pollers (as many as
 * {@code ScalingConfig.MaximumConcurrency}, else 5) each receive up to {@code min(10, BatchSize)} messages at a time,
 * keep receiving for up to {@code MaximumBatchingWindowInSeconds} to fill a batch of {@code BatchSize}, invoke the
 * function with the batch as an SQS event, and then delete what succeeded: every record not named in
 * {@code batchItemFailures} (with {@code ReportBatchItemFailures}), or the whole batch. A failed or timed-out
 * invocation, or a malformed {@code batchItemFailures}, deletes nothing: the messages come back after their
 * visibility timeout, and SQS's redrive policy counts the receives.
 */
final class SqsEventSourcePoller {
    /** Lambda's pollers when MaximumConcurrency is not set (it scales further; locally, five will do). */
    private static final int DEFAULT_POLLERS = 5;
    /** Short polls, so that stopping is quick; an empty receive costs nothing locally. */
    private static final int WAIT_SECONDS = 1;

    private final LambdaFunction function;
    private final EventSource source;
    private final SqsClient sqs;
    private final String queueUrl;
    private final String queueArn;
    private final RecentInvocations recent;
    private final int pollers;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean receiving = true;
    private CountDownLatch stopped;

    SqsEventSourcePoller(LambdaFunction function, EventSource source, SqsClient sqs, RecentInvocations recent) {
        this.function = function;
        this.source = source;
        this.sqs = sqs;
        this.queueUrl = source.queueUrl();
        this.queueArn = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        this.recent = recent;
        this.pollers = source.maximumConcurrency().orElse(DEFAULT_POLLERS);
    }

    String description() {
        return function.name() + "." + source.name() + " <- " + queueUrl.substring(queueUrl.lastIndexOf('/') + 1)
                + " (batch " + source.batchSize() + ", window " + source.maximumBatchingWindowSeconds() + " s, "
                + pollers + " concurrent)";
    }

    void start() {
        stopped = new CountDownLatch(pollers);
        for (int i = 1; i <= pollers; i++) {
            Thread thread = new Thread(this::poll, function.name() + "-" + source.name() + "-poller-" + i);
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** Receives no more; invocations under way go on. */
    void stopReceiving() {
        receiving = false;
    }

    /** Waits until every poller has finished its invocation and its deletes. */
    boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped == null || stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    int inFlight() {
        return inFlight.get();
    }

    private void poll() {
        try {
            while (receiving) {
                try {
                    List<Message> batch = receiveBatch();
                    if (batch.isEmpty()) {
                        continue;
                    }
                    if (!receiving) {
                        release(batch);
                        return;
                    }
                    inFlight.incrementAndGet();
                    try {
                        deliver(batch);
                    } finally {
                        inFlight.decrementAndGet();
                    }
                } catch (RuntimeException e) {
                    // the queue unreachable for a moment, or a bug: the poller goes on, as Lambda's does
                    if (receiving) {
                        Log.warn("sqs.poll_failed", "function", function.name(), "event", source.name(),
                                "reason", e.getMessage());
                        sleep(Duration.ofSeconds(1));
                    }
                }
            }
        } finally {
            stopped.countDown();
        }
    }

    /** One receive, then more until the batch is full or the batching window has passed. */
    private List<Message> receiveBatch() {
        int batchSize = source.batchSize();
        List<Message> batch = new ArrayList<>(receive(Math.min(10, batchSize), WAIT_SECONDS));
        if (batch.isEmpty()) {
            return batch;
        }
        long windowEnds = System.nanoTime() + Duration.ofSeconds(source.maximumBatchingWindowSeconds()).toNanos();
        while (receiving && batch.size() < batchSize) {
            long left = windowEnds - System.nanoTime();
            if (left <= 0) {
                break;
            }
            int wait = (int) Math.min(WAIT_SECONDS, Math.max(0, TimeUnit.NANOSECONDS.toSeconds(left)));
            batch.addAll(receive(Math.min(10, batchSize - batch.size()), wait));
            if (wait == 0) {
                sleep(Duration.ofNanos(Math.min(left, Duration.ofMillis(100).toNanos())));
            }
        }
        return batch;
    }

    private List<Message> receive(int max, int waitSeconds) {
        return sqs.receiveMessage(r -> r.queueUrl(queueUrl)
                .maxNumberOfMessages(max)
                .waitTimeSeconds(waitSeconds)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                .messageAttributeNames("All")).messages();
    }

    private void deliver(List<Message> batch) {
        String trigger = "SQS " + source.name() + " (" + batch.size() + (batch.size() == 1 ? " record)" : " records)");
        Invocation invocation = function.invoke(LambdaSqsEvent.jsonText(batch, queueArn), trigger);
        if (invocation.failed()) {
            recent.add(invocation, "failed: all " + batch.size() + " back after the visibility timeout");
            return;
        }
        Set<String> redeliver = redelivered(invocation, batch);
        if (redeliver == null) {
            recent.add(invocation, "invalid batchItemFailures: all " + batch.size() + " back");
            return;
        }
        List<Message> done = batch.stream().filter(message -> !redeliver.contains(message.messageId())).toList();
        delete(done);
        recent.add(invocation, redeliver.isEmpty() ? "ok" : redeliver.size() + " of " + batch.size() + " back");
    }

    /**
     * The message ids to leave in the queue; null when the answer makes the whole batch fail, as Lambda treats an
     * unknown, empty or null {@code itemIdentifier}.
     */
    private Set<String> redelivered(Invocation invocation, List<Message> batch) {
        if (!source.reportsBatchItemFailures()) {
            return Set.of();
        }
        Object response;
        try {
            response = JSON.std.anyFrom(invocation.response());
        } catch (IOException e) {
            return null;
        }
        if (!(response instanceof Map<?, ?> answer) || !(answer.get("batchItemFailures") instanceof List<?> failures)) {
            return Set.of();
        }
        Set<String> ids = new HashSet<>();
        batch.forEach(message -> ids.add(message.messageId()));
        Set<String> redeliver = new HashSet<>();
        for (Object failure : failures) {
            Object id = failure instanceof Map<?, ?> item ? item.get("itemIdentifier") : null;
            if (!(id instanceof String text) || text.isBlank() || !ids.contains(text)) {
                return null;
            }
            redeliver.add(text);
        }
        return redeliver;
    }

    private void delete(List<Message> messages) {
        for (int from = 0; from < messages.size(); from += 10) {
            List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
            for (Message message : messages.subList(from, Math.min(messages.size(), from + 10))) {
                entries.add(DeleteMessageBatchRequestEntry.builder().id(String.valueOf(entries.size()))
                        .receiptHandle(message.receiptHandle()).build());
            }
            DeleteMessageBatchResponse response = sqs.deleteMessageBatch(r -> r.queueUrl(queueUrl).entries(entries));
            response.failed().forEach(failure -> Log.warn("sqs.delete_failed", "function", function.name(),
                    "event", source.name(), "reason", failure.message()));
        }
    }

    /** Messages received while stopping go back to the queue at once. */
    private void release(List<Message> messages) {
        for (int from = 0; from < messages.size(); from += 10) {
            List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>();
            for (Message message : messages.subList(from, Math.min(messages.size(), from + 10))) {
                entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(String.valueOf(entries.size()))
                        .receiptHandle(message.receiptHandle()).visibilityTimeout(0).build());
            }
            sqs.changeMessageVisibilityBatch(r -> r.queueUrl(queueUrl).entries(entries));
        }
    }


    private static void sleep(Duration duration) {
        try {
            Thread.sleep(Math.max(1, duration.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
