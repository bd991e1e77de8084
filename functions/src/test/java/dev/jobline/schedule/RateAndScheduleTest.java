package dev.jobline.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RateAndScheduleTest {
    private static final Instant T0 = Instant.parse("2026-03-29T00:00:00Z");

    @ParameterizedTest(name = "''{0}'' is every {1}")
    @CsvSource(delimiter = '|', textBlock = """
            1 minute   | PT1M
            5 minutes  | PT5M
            1 hour     | PT1H
            2 days     | PT48H
            90 seconds | PT1M30S
            """)
    void aRateIsANumberAndAUnit(String text, String every) {
        assertEquals(Duration.parse(every), Rate.parse(text, Duration.ofMinutes(1)).every());
    }

    @ParameterizedTest(name = "''{0}'' is refused")
    @CsvSource(delimiter = '|', textBlock = """
            five minutes
            5
            5 fortnights
            30 seconds
            0 minutes
            400 days
            """)
    void aMalformedOrTooShortRateIsRefused(String text) {
        assertThrows(CronExpression.Invalid.class, () -> Rate.parse(text, Duration.ofMinutes(1)));
    }

    @Test
    void aRateCountsRealTimeAcrossADaylightSavingChange() {
        // Berlin skips 02:00-03:00 local that night: a rate does not care
        Schedule every15 = schedule(null, "15 minutes", T0, null, T0);
        assertEquals(List.of(T0, T0.plusSeconds(900), T0.plusSeconds(1800), T0.plusSeconds(2700), T0.plusSeconds(3600)),
                every15.upcoming(5));
    }

    @Test
    void afterAGapTheLatestMissedFireIsTheOneThatFires() {
        Schedule everyMinute = schedule(null, "1 minute", T0, null, T0);
        Instant threeHoursLater = T0.plus(Duration.ofHours(3)).plusSeconds(20);
        assertEquals(T0.plus(Duration.ofHours(3)), everyMinute.latestDue(threeHoursLater));
        Schedule cron = new Schedule("t", "n", "id", "*/5 * * * *", "UTC", null, null, "{}", Overlap.ALLOW, null, null,
                false, T0, T0, T0, 1, List.of());
        assertEquals(Instant.parse("2026-04-03T11:55:00Z"), cron.latestDue(Instant.parse("2026-04-03T11:58:00Z")));
        assertEquals(T0, cron.latestDue(T0.plusSeconds(10)), "nothing missed: the due fire itself");
    }

    @Test
    void noFireAfterEndAt() {
        Schedule ending = schedule(null, "1 hour", T0, T0.plus(Duration.ofHours(2)), T0);
        assertEquals(List.of(T0, T0.plus(Duration.ofHours(1)), T0.plus(Duration.ofHours(2))), ending.upcoming(10));
    }

    private static Schedule schedule(String cron, String rate, Instant anchor, Instant endAt, Instant next) {
        return new Schedule("t", "n", "id", cron, cron == null ? null : "UTC", rate, anchor, "{}", Overlap.ALLOW, null, endAt,
                false, next, T0, T0, 1, List.of());
    }
}
