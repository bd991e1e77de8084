package dev.jobline.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private final RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(60));

    @Test
    void ceilingDoublesWithEachFailedAttempt() {
        assertEquals(Duration.ofSeconds(2), policy.ceilingAfter(1));
        assertEquals(Duration.ofSeconds(4), policy.ceilingAfter(2));
        assertEquals(Duration.ofSeconds(8), policy.ceilingAfter(3));
        assertEquals(Duration.ofSeconds(32), policy.ceilingAfter(5));
    }

    @Test
    void ceilingStopsAtTheCap() {
        assertEquals(Duration.ofSeconds(60), policy.ceilingAfter(6));
        assertEquals(Duration.ofSeconds(60), policy.ceilingAfter(1000));
    }

    @Test
    void delaysStayWithinTheCeilingAndVary() {
        Random random = new Random(7);
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            long seconds = policy.delayAfter(4, random).toSeconds();
            assertTrue(seconds >= 0 && seconds <= 16, "delay " + seconds + " outside [0, 16]");
            seen.add(seconds);
        }
        assertTrue(seen.size() > 8, "full jitter should spread delays, saw " + seen);
    }

    @Test
    void capNeverExceedsWhatSqsCanHide() {
        RetryPolicy huge = new RetryPolicy(Duration.ofHours(1), Duration.ofDays(2));
        assertEquals(dev.jobline.queue.SqsLimits.MAX_VISIBILITY, huge.cap());
        assertTrue(huge.delayAfter(30, new Random(1)).compareTo(dev.jobline.queue.SqsLimits.MAX_VISIBILITY) <= 0);
    }

    @Test
    void capBelowBaseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(Duration.ofSeconds(10), Duration.ofSeconds(5)));
    }
}
