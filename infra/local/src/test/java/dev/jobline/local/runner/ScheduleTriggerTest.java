package dev.jobline.local.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScheduleTriggerTest {

    @Test
    void rateExpressionsGiveTheirPeriod() {
        assertEquals(Optional.of(Duration.ofMinutes(1)), ScheduleTrigger.rate("rate(1 minute)"));
        assertEquals(Optional.of(Duration.ofMinutes(5)), ScheduleTrigger.rate("rate(5 minutes)"));
        assertEquals(Optional.of(Duration.ofHours(2)), ScheduleTrigger.rate("rate(2 hours)"));
        assertEquals(Optional.of(Duration.ofDays(1)), ScheduleTrigger.rate("rate(1 day)"));
    }

    @Test
    void cronAndNonsenseAreNotRunLocally() {
        assertEquals(Optional.empty(), ScheduleTrigger.rate("cron(0 12 * * ? *)"));
        assertEquals(Optional.empty(), ScheduleTrigger.rate("rate(0 minutes)"));
        assertEquals(Optional.empty(), ScheduleTrigger.rate("every minute"));
    }
}
