package dev.jobline.testing;

import dev.jobline.store.LimitStore;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link LimitStore} in memory, with DynamoLimitStore's rules: at most {@code cap} holders, a holder holds again by
 * moving its hold on, a hold that ran out is removed when the limit is found full. Records the most holders seen.
 */
public final class InMemoryLimitStore implements LimitStore {
    private final Map<String, Map<String, Instant>> holders = new HashMap<>();
    private final Map<String, Integer> mostHeld = new HashMap<>();

    @Override
    public synchronized boolean hold(String limit, int cap, String jobId, Instant until, Instant now) {
        Map<String, Instant> held = holders.computeIfAbsent(limit, name -> new LinkedHashMap<>());
        if (held.containsKey(jobId)) {
            held.put(jobId, until);
            return true;
        }
        if (held.size() >= cap) {
            held.values().removeIf(heldUntil -> heldUntil.isBefore(now));
        }
        if (held.size() >= cap) {
            return false;
        }
        held.put(jobId, until);
        mostHeld.merge(limit, held.size(), Math::max);
        return true;
    }

    @Override
    public synchronized boolean extend(String limit, String jobId, Instant until) {
        Map<String, Instant> held = holders.getOrDefault(limit, Map.of());
        if (!held.containsKey(jobId)) {
            return false;
        }
        held.put(jobId, until);
        return true;
    }

    @Override
    public synchronized void release(String limit, String jobId) {
        holders.getOrDefault(limit, new HashMap<>()).remove(jobId);
    }

    /** How many hold the limit now (run-out holds not yet removed count). */
    public synchronized int held(String limit) {
        return holders.getOrDefault(limit, Map.of()).size();
    }

    /** The most that held the limit at once. */
    public synchronized int mostHeld(String limit) {
        return mostHeld.getOrDefault(limit, 0);
    }
}
