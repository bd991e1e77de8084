package dev.jobline.local.runner;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.concurrent.atomic.AtomicInteger;

/** Test function: takes 200 ms a batch and counts how many invocations ran at once. */
public final class SlowRecordHandler implements RequestHandler<SQSEvent, Void> {
    static final AtomicInteger RUNNING = new AtomicInteger();
    static final AtomicInteger MOST_AT_ONCE = new AtomicInteger();
    static final AtomicInteger RECORDS = new AtomicInteger();

    static void reset() {
        RUNNING.set(0);
        MOST_AT_ONCE.set(0);
        RECORDS.set(0);
    }

    @Override
    public Void handleRequest(SQSEvent event, Context context) {
        int now = RUNNING.incrementAndGet();
        MOST_AT_ONCE.accumulateAndGet(now, Math::max);
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            RECORDS.addAndGet(event.getRecords().size());
            RUNNING.decrementAndGet();
        }
        return null;
    }
}
