package dev.jobline.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a limited job type's handlers record while they run: per group (a type, a tenant), how many run at this moment
 * and the most seen at a handler's start, and each run's start and end, from which the most that overlapped at any
 * moment is counted again afterwards.
 */
final class Overlaps {
    private record Run(String group, long startNanos, long endNanos) {
    }

    private final Map<String, AtomicInteger> live = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> most = new ConcurrentHashMap<>();
    private final List<Run> runs = new ArrayList<>();

    /** A run of the handler: {@code millis} of work, counted in each of {@code groups}. */
    void run(List<String> groups, long millis) throws InterruptedException {
        for (String group : groups) {
            int now = live.computeIfAbsent(group, g -> new AtomicInteger()).incrementAndGet();
            most.computeIfAbsent(group, g -> new AtomicInteger()).accumulateAndGet(now, Math::max);
        }
        long start = System.nanoTime();
        try {
            Thread.sleep(millis);
        } finally {
            long end = System.nanoTime();
            for (String group : groups) {
                live.get(group).decrementAndGet();
            }
            synchronized (runs) {
                groups.forEach(group -> runs.add(new Run(group, start, end)));
            }
        }
    }

    /** The most that were running at once in each group, as the live counts saw it at each start. */
    Map<String, Integer> mostAtOnce() {
        Map<String, Integer> seen = new TreeMap<>();
        most.forEach((group, count) -> seen.put(group, count.get()));
        return seen;
    }

    /** The same, counted again from the runs' start and end times: the most that overlapped at any moment. */
    Map<String, Integer> mostOverlapping() {
        Map<String, Integer> seen = new TreeMap<>();
        synchronized (runs) {
            for (Run run : runs) {
                // the most overlap is reached at some run's start: count the runs of its group under way then
                int overlapping = 0;
                for (Run other : runs) {
                    if (other.group().equals(run.group()) && other.startNanos() <= run.startNanos() && other.endNanos() > run.startNanos()) {
                        overlapping++;
                    }
                }
                seen.merge(run.group(), overlapping, Math::max);
            }
        }
        return seen;
    }

    int runs(String group) {
        synchronized (runs) {
            return (int) runs.stream().filter(run -> run.group().equals(group)).count();
        }
    }
}
