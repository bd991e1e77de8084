package dev.jobline.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jobline.job.Job;
import dev.jobline.job.JobKey;
import dev.jobline.job.JobType;
import dev.jobline.job.KeyScope;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobFilterTest {
    private static final Instant AT = Instant.parse("2026-11-30T12:00:00Z");
    private static final JobType SCAN = JobType.of("scan-site", context -> null);

    @Test
    void aKeyFilterSelectsTheJobsThatHoldOrHeldThatKeyOnly() {
        Job keyed = Job.submitted("j1", "t", SCAN, "{}", 3, 30, AT).withKey(new JobKey("example.com", KeyScope.ACTIVE, AT.plusSeconds(60)));
        Job other = Job.submitted("j2", "t", SCAN, "{}", 3, 30, AT).withKey(new JobKey("example.org", KeyScope.ACTIVE, AT.plusSeconds(60)));
        Job unkeyed = Job.submitted("j3", "t", SCAN, "{}", 3, 30, AT);
        JobFilter filter = new JobFilter(Set.of(), null, "example.com", null, null);

        assertTrue(filter.matches(keyed));
        assertFalse(filter.matches(other));
        assertFalse(filter.matches(unkeyed));
        assertTrue(JobFilter.ALL.matches(unkeyed));
    }
}
