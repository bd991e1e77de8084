package dev.jobline.bench.throughput;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * One poller of Lambda's SQS event source, emulated: long-polls the queue for up to BatchSize messages, keeps
 * receiving until the batch is full or MaximumBatchingWindowInSeconds has passed since its first message, invokes
 * the function with the batch, then deletes the records the function did not name in batchItemFailures with one
 * DeleteMessageBatch (Lambda does not document which delete call its pollers make; a batch delete is the
 * cheaper reading). Every call goes through the counted SQS client, so the event source's own requests are priced.
 */
public final class EventSourcePoller implements Runnable {

    /** The function behind the event source: takes a batch, answers the message ids to deliver again. */
    public interface Function {
        List<String> invoke(List<Message> batch, String queueArn);
    }

    /** One invocation: its scope name for {@link CallCounter}, the bodies it carried, how long it took. */
    public record Invocation(String scope, List<String> bodies, double millis) {
        public int records() {
            return bodies.size();
        }
    }

    private final SqsClient sqs;
    private final String queueUrl;
    private final String queueArn;
    private final int batchSize;
    private final long windowNanos;
    private final Function function;
    private final AtomicBoolean stop;
    private final ConcurrentLinkedQueue<Invocation> invocations;
    private final AtomicInteger sequence;

    public EventSourcePoller(SqsClient sqs, String queueUrl, String queueArn, int batchSize, int windowSeconds,
                      Function function, AtomicBoolean stop, ConcurrentLinkedQueue<Invocation> invocations,
                      AtomicInteger sequence) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.queueArn = queueArn;
        this.batchSize = batchSize;
        this.windowNanos = windowSeconds * 1_000_000_000L;
        this.function = function;
        this.stop = stop;
        this.invocations = invocations;
        this.sequence = sequence;
    }

    @Override
    public void run() {
        while (!stop.get()) {
            List<Message> batch = fill();
            if (batch.isEmpty()) {
                continue;
            }
            String scope = "invoke#" + sequence.getAndIncrement();
            CallCounter.SCOPE.set(scope);
            long started = System.nanoTime();
            List<String> redeliver;
            try {
                redeliver = function.invoke(batch, queueArn);
            } finally {
                CallCounter.SCOPE.remove();
            }
            invocations.add(new Invocation(scope, batch.stream().map(Message::body).toList(),
                    (System.nanoTime() - started) / 1_000_000.0));
            delete(batch, new HashSet<>(redeliver));
        }
    }

    private List<Message> fill() {
        List<Message> batch = new ArrayList<>(batchSize);
        long windowEnds = Long.MAX_VALUE;
        while (batch.size() < batchSize && System.nanoTime() < windowEnds && !stop.get()) {
            int wanted = batchSize - batch.size();
            List<Message> received = sqs.receiveMessage(b -> b.queueUrl(queueUrl)
                    .maxNumberOfMessages(wanted)
                    .waitTimeSeconds(1)
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                    .messageAttributeNames("All")).messages();
            if (received.isEmpty()) {
                break;   // waited a whole second: the window is over
            }
            if (batch.isEmpty()) {
                windowEnds = System.nanoTime() + windowNanos;
            }
            batch.addAll(received);
        }
        return batch;
    }

    private void delete(List<Message> batch, Set<String> redeliver) {
        List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
        for (Message message : batch) {
            if (!redeliver.contains(message.messageId())) {
                entries.add(DeleteMessageBatchRequestEntry.builder()
                        .id(Integer.toString(entries.size()))
                        .receiptHandle(message.receiptHandle())
                        .build());
            }
        }
        if (!entries.isEmpty()) {
            sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
        }
    }
}
