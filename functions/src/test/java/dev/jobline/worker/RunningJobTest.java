package dev.jobline.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jobline.job.Job;
import dev.jobline.job.JobType;
import dev.jobline.testing.InMemoryJobStore;
import dev.jobline.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a handler sees of its job: here, the results of the jobs it depends on. */
class RunningJobTest {
    private static final JobType ECHO = JobType.of("echo", context -> context.payload());
    private final TestClock clock = new TestClock(Instant.parse("2026-11-30T10:00:00Z"));
    private final InMemoryJobStore store = new InMemoryJobStore(Duration.ofMinutes(15));

    private Job parent(String jobId, String result) {
        Job job = Job.submitted(jobId, "tenant-a", ECHO, "{}", 1, 10, clock.instant());
        store.put(job);
        store.claim(jobId, new dev.jobline.store.Lease("w-" + jobId, clock.instant().plusSeconds(60)), clock.instant());
        store.succeed(jobId, "w-" + jobId, result, null, null, clock.instant());
        return store.find(jobId).orElseThrow();
    }

    @Test
    void aHandlerReadsItsParentsResultsByJobIdReadOncePerAttempt() {
        parent("crawl", "{\"pages\":3}");
        parent("scan", null);
        Job child = Job.submitted("report", "tenant-a", ECHO, "{}", 1, 10, clock.instant())
                .withDependencies(List.of("crawl", "scan"), List.of(), false, false);
        List<List<String>> reads = new ArrayList<>();
        RunningJob running = new RunningJob(child, clock, clock.instant().plusSeconds(10), ids -> {
            reads.add(ids);
            return store.findAll(ids);
        });

        Map<String, Object> results = running.parentResults();
        running.parentResults();

        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("crawl", Map.of("pages", 3));
        expected.put("scan", null);
        assertEquals(expected, results);
        assertEquals(List.of(List.of("crawl", "scan")), reads, "one read for the attempt");
    }

    @Test
    void aJobWithoutParentsHasNoParentResultsAndReadsNothing() {
        Job job = Job.submitted("alone", "tenant-a", ECHO, "{}", 1, 10, clock.instant());
        List<List<String>> reads = new ArrayList<>();
        RunningJob running = new RunningJob(job, clock, clock.instant().plusSeconds(10), ids -> {
            reads.add(ids);
            return List.of();
        });

        assertTrue(running.parentResults().isEmpty());
        assertTrue(reads.isEmpty());
    }
}
