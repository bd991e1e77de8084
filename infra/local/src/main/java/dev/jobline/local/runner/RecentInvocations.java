package dev.jobline.local.runner;

import dev.jobline.log.Log;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every invocation the runner made, as one log line each ({@code lambda.invoked}); the latest kept for the terminal
 * view and for tests, with a count per function.
 */
public final class RecentInvocations {
    private static final int KEPT = 200;

    /** @param outcome what the trigger made of the answer, e.g. {@code 202} or {@code 1 of 3 records redelivered} */
    public record Entry(Invocation invocation, String outcome) {
    }

    private final Deque<Entry> latest = new ArrayDeque<>();
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

    void add(Invocation invocation, String outcome) {
        counts.computeIfAbsent(invocation.function(), name -> new AtomicLong()).incrementAndGet();
        synchronized (latest) {
            latest.addFirst(new Entry(invocation, outcome));
            if (latest.size() > KEPT) {
                latest.removeLast();
            }
        }
        if (invocation.failed()) {
            Log.warn("lambda.invoked", "function", invocation.function(), "trigger", invocation.trigger(),
                    "requestId", invocation.requestId(), "durationMillis", invocation.duration().toMillis(),
                    "outcome", outcome, "error", invocation.error());
        } else {
            Log.info("lambda.invoked", "function", invocation.function(), "trigger", invocation.trigger(),
                    "requestId", invocation.requestId(), "durationMillis", invocation.duration().toMillis(),
                    "outcome", outcome);
        }
    }

    /** The latest {@code n}, newest first. */
    public List<Entry> latest(int n) {
        synchronized (latest) {
            return new ArrayList<>(latest).subList(0, Math.min(n, latest.size()));
        }
    }

    /** How many times the function was invoked since the runner started. */
    public long count(String function) {
        AtomicLong count = counts.get(function);
        return count == null ? 0 : count.get();
    }
}
