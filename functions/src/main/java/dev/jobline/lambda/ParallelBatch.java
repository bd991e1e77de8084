package dev.jobline.lambda;

import dev.jobline.log.Log;
import dev.jobline.queue.ReceivedMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Runs one task per message of a batch, at most {@code parallelism} at once, so one slow or failing
 * message never holds up the others. Each task logs with the invocation's context and its message id.
 * A task answers true when its message is done with; false, or an exception, means deliver it again.
 */
public final class ParallelBatch {
    private final ExecutorService threads;
    private final int parallelism;
    private final String failureEvent;

    /** The work for one message: true when it is done with. */
    @FunctionalInterface
    public interface Task {
        boolean handle(ReceivedMessage message) throws InterruptedException;
    }

    /** @param failureEvent the log event of a task that threw (a store or queue outage) */
    public ParallelBatch(String threadName, int parallelism, String failureEvent) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1");
        }
        this.threads = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
        this.parallelism = parallelism;
        this.failureEvent = failureEvent;
    }

    /** Returns the ids of the messages to deliver again, in the batch's order. */
    public List<String> run(List<ReceivedMessage> messages, Task task) {
        Map<String, Object> invocationContext = Log.context();
        Semaphore slots = new Semaphore(parallelism);
        List<Future<Boolean>> outcomes = new ArrayList<>(messages.size());
        for (ReceivedMessage message : messages) {
            outcomes.add(threads.submit(() -> {
                slots.acquire();
                Log.restoreContext(invocationContext);
                Log.putContext("messageId", message.messageId());
                try {
                    return task.handle(message);
                } catch (RuntimeException e) {
                    // the message comes back and the next delivery tries again
                    Log.error(failureEvent, e, "messageId", message.messageId());
                    return false;
                } finally {
                    Log.clearContext();
                    slots.release();
                }
            }));
        }
        List<String> redeliver = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            if (!done(outcomes.get(i))) {
                redeliver.add(messages.get(i).messageId());
            }
        }
        return redeliver;
    }

    private static boolean done(Future<Boolean> outcome) {
        try {
            return outcome.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return false;
        }
    }
}
