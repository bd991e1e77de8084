package dev.jobline.testing;

import dev.jobline.store.LimitStore;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link LimitStore} in memory, with DynamoLimitStore's rules: at most {@code cap} places held, a holder holds again by
 * moving its hold on, a hold that ran out is removed when the limit is found full. Records the most places held.
 */
public final class InMemoryLimitStore implements LimitStore {
    private record Hold(Instant until, int places) {
    }

    private final Map<String, Map<String, Hold>> holders = new HashMap<>();
    private final Map<String, Integer> mostHeld = new HashMap<>();
    /** Every write this store was asked for, by kind: to count what batching saves. */
    public final Map<String, Integer> writes = new HashMap<>();

    @Override
    public synchronized boolean hold(String limit, int cap, String jobId, Instant until, Instant now) {
        writes.merge("hold", 1, Integer::sum);
        return take(limit, cap, jobId, 1, until, now);
    }

    @Override
    public synchronized boolean holdMany(String limit, int cap, String holder, int places, Instant until, Instant now) {
        writes.merge("holdMany", 1, Integer::sum);
        if (holders.getOrDefault(limit, Map.of()).containsKey(holder)) {
            return false;
        }
        return take(limit, cap, holder, places, until, now);
    }

    private boolean take(String limit, int cap, String holder, int places, Instant until, Instant now) {
        Map<String, Hold> held = holders.computeIfAbsent(limit, name -> new LinkedHashMap<>());
        if (held.containsKey(holder)) {
            held.put(holder, new Hold(until, held.get(holder).places()));
            return true;
        }
        if (placesOf(held) + places > cap) {
            held.values().removeIf(hold -> hold.until().isBefore(now));
        }
        if (placesOf(held) + places > cap) {
            return false;
        }
        held.put(holder, new Hold(until, places));
        mostHeld.merge(limit, placesOf(held), Math::max);
        return true;
    }

    private static int placesOf(Map<String, Hold> held) {
        return held.values().stream().mapToInt(Hold::places).sum();
    }

    @Override
    public synchronized boolean extend(String limit, String jobId, Instant until) {
        writes.merge("extend", 1, Integer::sum);
        Map<String, Hold> held = holders.getOrDefault(limit, Map.of());
        if (!held.containsKey(jobId)) {
            return false;
        }
        held.put(jobId, new Hold(until, held.get(jobId).places()));
        return true;
    }

    @Override
    public synchronized void release(String limit, String jobId) {
        writes.merge("release", 1, Integer::sum);
        holders.getOrDefault(limit, new HashMap<>()).remove(jobId);
    }

    @Override
    public synchronized void releaseMany(String limit, String holder, int places) {
        writes.merge("releaseMany", 1, Integer::sum);
        holders.getOrDefault(limit, new HashMap<>()).remove(holder);
    }

    /** Until when {@code holder} holds the limit; null when it holds none. */
    public synchronized Instant heldUntil(String limit, String holder) {
        Hold hold = holders.getOrDefault(limit, Map.of()).get(holder);
        return hold == null ? null : hold.until();
    }

    /** How many places are held now (run-out holds not yet removed count). */
    public synchronized int held(String limit) {
        return placesOf(holders.getOrDefault(limit, Map.of()));
    }

    /** The most places held at once. */
    public synchronized int mostHeld(String limit) {
        return mostHeld.getOrDefault(limit, 0);
    }
}
