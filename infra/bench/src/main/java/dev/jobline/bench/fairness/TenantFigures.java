package dev.jobline.bench.fairness;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One tenant's figures in one scenario, from its stored jobs: queue wait and end to end (p50, p95, max), the time
 * from its first submission to its last end, and how many of its jobs ran at once (claims and ends, by the stored
 * times): at most, and on average (their running time over the time from the first claim to the last end; well under
 * the worker's slots means something else than the slots, the machine, held the jobs back).
 */
record TenantFigures(String tenant, int jobs, int succeededOnce, Distribution queueWait, Distribution endToEnd,
                     long firstCreatedAt, long lastFinishedAt, int mostRunning, double meanRunning) {

    /** Nearest-rank percentiles of a few thousand milliseconds. */
    record Distribution(long p50, long p95, long max) {
        static Distribution of(List<Long> values) {
            if (values.isEmpty()) {
                return new Distribution(-1, -1, -1);
            }
            List<Long> sorted = new ArrayList<>(values);
            Collections.sort(sorted);
            return new Distribution(rank(sorted, 50), rank(sorted, 95), sorted.get(sorted.size() - 1));
        }

        private static long rank(List<Long> sorted, int percent) {
            int rank = (int) Math.ceil(percent / 100.0 * sorted.size());
            return sorted.get(Math.max(rank, 1) - 1);
        }

        Map<String, Object> json() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("p50", p50);
            json.put("p95", p95);
            json.put("max", max);
            return json;
        }
    }

    static TenantFigures of(String tenant, List<StoredJob> all) {
        List<StoredJob> jobs = all.stream().filter(job -> job.tenantId().equals(tenant)).toList();
        List<StoredJob> done = jobs.stream().filter(StoredJob::succeededOnce).toList();
        return new TenantFigures(tenant, jobs.size(), done.size(),
                Distribution.of(done.stream().map(StoredJob::waitMillis).toList()),
                Distribution.of(done.stream().map(StoredJob::endToEndMillis).toList()),
                jobs.stream().mapToLong(StoredJob::createdAt).min().orElse(0),
                done.stream().mapToLong(StoredJob::finishedAt).max().orElse(0),
                mostAtOnce(done), meanAtOnce(done));
    }

    /** From the first submission to the last end: how long the tenant's whole load took. */
    long drainMillis() {
        return lastFinishedAt - firstCreatedAt;
    }

    double jobsPerSecond() {
        return drainMillis() <= 0 ? 0 : succeededOnce * 1000.0 / drainMillis();
    }

    /** The most attempts running at once: +1 at each claim, -1 at each end (an end before a claim at the same ms). */
    private static int mostAtOnce(List<StoredJob> jobs) {
        List<long[]> moves = new ArrayList<>();
        for (StoredJob job : jobs) {
            moves.add(new long[] {job.startedAt(), 1});
            moves.add(new long[] {job.finishedAt(), -1});
        }
        moves.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        int running = 0;
        int most = 0;
        for (long[] move : moves) {
            running += (int) move[1];
            most = Math.max(most, running);
        }
        return most;
    }

    private static double meanAtOnce(List<StoredJob> jobs) {
        long running = jobs.stream().mapToLong(job -> job.finishedAt() - job.startedAt()).sum();
        long span = jobs.stream().mapToLong(StoredJob::finishedAt).max().orElse(0)
                - jobs.stream().mapToLong(StoredJob::startedAt).min().orElse(0);
        return span <= 0 ? 0 : running / (double) span;
    }

    Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("tenant", tenant);
        json.put("jobs", jobs);
        json.put("succeededOnce", succeededOnce);
        json.put("queueWaitMillis", queueWait.json());
        json.put("endToEndMillis", endToEnd.json());
        json.put("firstSubmitToLastEndMillis", drainMillis());
        json.put("jobsPerSecond", Math.round(jobsPerSecond() * 10) / 10.0);
        json.put("mostRunningAtOnce", mostRunning);
        json.put("meanRunningAtOnce", Math.round(meanRunning * 10) / 10.0);
        return json;
    }
}
