package dev.jobline.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CronExpressionTest {
    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    /** The next three fires after a moment, for the usual forms. */
    @ParameterizedTest(name = "{0} in {1} after {2}")
    @CsvSource(delimiter = '|', textBlock = """
            # expression        | zone             | after                | next three fires (UTC)
            * * * * *           | UTC              | 2026-03-02T10:00:30Z | 2026-03-02T10:01:00Z 2026-03-02T10:02:00Z 2026-03-02T10:03:00Z
            */15 * * * *        | UTC              | 2026-03-02T10:07:00Z | 2026-03-02T10:15:00Z 2026-03-02T10:30:00Z 2026-03-02T10:45:00Z
            0 9 * * MON-FRI     | UTC              | 2026-03-06T12:00:00Z | 2026-03-09T09:00:00Z 2026-03-10T09:00:00Z 2026-03-11T09:00:00Z
            0 9 * * 1-5         | UTC              | 2026-03-06T12:00:00Z | 2026-03-09T09:00:00Z 2026-03-10T09:00:00Z 2026-03-11T09:00:00Z
            30 6 1,15 * *       | UTC              | 2026-03-02T00:00:00Z | 2026-03-15T06:30:00Z 2026-04-01T06:30:00Z 2026-04-15T06:30:00Z
            0 0 1 JAN,JUL *     | UTC              | 2026-03-02T00:00:00Z | 2026-07-01T00:00:00Z 2027-01-01T00:00:00Z 2027-07-01T00:00:00Z
            0 12 L * *          | UTC              | 2026-01-30T00:00:00Z | 2026-01-31T12:00:00Z 2026-02-28T12:00:00Z 2026-03-31T12:00:00Z
            0 12 L 2 *          | UTC              | 2027-03-01T00:00:00Z | 2028-02-29T12:00:00Z 2029-02-28T12:00:00Z 2030-02-28T12:00:00Z
            10-50/20 8 * * *    | UTC              | 2026-03-02T00:00:00Z | 2026-03-02T08:10:00Z 2026-03-02T08:30:00Z 2026-03-02T08:50:00Z
            5/20 8 * * *        | UTC              | 2026-03-02T00:00:00Z | 2026-03-02T08:05:00Z 2026-03-02T08:25:00Z 2026-03-02T08:45:00Z
            0 0 * * 0           | UTC              | 2026-03-02T00:00:00Z | 2026-03-08T00:00:00Z 2026-03-15T00:00:00Z 2026-03-22T00:00:00Z
            0 0 * * 7           | UTC              | 2026-03-02T00:00:00Z | 2026-03-08T00:00:00Z 2026-03-15T00:00:00Z 2026-03-22T00:00:00Z
            0 0 13 * FRI        | UTC              | 2026-03-01T00:00:00Z | 2026-03-06T00:00:00Z 2026-03-13T00:00:00Z 2026-03-20T00:00:00Z
            0 9 * * *           | America/New_York | 2026-03-02T00:00:00Z | 2026-03-02T14:00:00Z 2026-03-03T14:00:00Z 2026-03-04T14:00:00Z
            """)
    void aCronFiresAtTheTimesItNames(String expression, String zone, String after, String expected) {
        assertEquals(expected, fires(expression, ZoneId.of(zone), after, 3));
    }

    /** Europe/Berlin: clocks go 02:00 -> 03:00 on 2026-03-29 and 03:00 -> 02:00 on 2026-10-25. */
    @ParameterizedTest(name = "{0} after {1}")
    @CsvSource(delimiter = '|', textBlock = """
            # a daily 02:30 on the spring-forward day: 02:30 does not exist, it fires at the end of the gap (03:00 CEST = 01:00Z)
            30 2 * * *   | 2026-03-28T12:00:00Z | 2026-03-29T01:00:00Z 2026-03-30T00:30:00Z
            # a daily 02:30 on the fall-back day: 02:30 happens twice, it fires once (the first, CEST = 00:30Z)
            30 2 * * *   | 2026-10-24T12:00:00Z | 2026-10-25T00:30:00Z 2026-10-26T01:30:00Z
            # ... and not again when asked from within the repeated hour (02:10 CET)
            30 2 * * *   | 2026-10-25T01:10:00Z | 2026-10-26T01:30:00Z 2026-10-27T01:30:00Z
            # every 15 minutes across spring forward: 01:45 CET, then 03:00 CEST once (02:xx does not exist), 03:15
            */15 * * * * | 2026-03-29T00:40:00Z | 2026-03-29T00:45:00Z 2026-03-29T01:00:00Z 2026-03-29T01:15:00Z
            # every 15 minutes across fall back: 02:45 CEST, then 03:00 CET: the repeated hour fires once (its first time)
            */15 * * * * | 2026-10-25T00:40:00Z | 2026-10-25T00:45:00Z 2026-10-25T02:00:00Z 2026-10-25T02:15:00Z
            # a daily 09:00 keeps its local time across both changes
            0 9 * * *    | 2026-03-28T12:00:00Z | 2026-03-29T07:00:00Z 2026-03-30T07:00:00Z 2026-03-31T07:00:00Z
            0 9 * * *    | 2026-10-24T12:00:00Z | 2026-10-25T08:00:00Z 2026-10-26T08:00:00Z 2026-10-27T08:00:00Z
            """)
    void daylightSavingChangesInBerlin(String expression, String after, String expected) {
        int count = expected.split(" ").length;
        assertEquals(expected, fires(expression, BERLIN, after, count));
    }

    @Test
    void aNewYorkDailyAtTwoThirtyOnTheSpringForwardDayFiresAtThreeOClock() {
        // 2026-03-08: 02:00 EST -> 03:00 EDT; 03:00 EDT = 07:00Z
        assertEquals("2026-03-08T07:00:00Z 2026-03-09T06:30:00Z", fires("30 2 * * *", NEW_YORK, "2026-03-07T12:00:00Z", 2));
    }

    @ParameterizedTest(name = "''{0}'' is refused")
    @CsvSource(delimiter = '|', textBlock = """
            * * * *            | five fields
            * * * * * *        | five fields
            60 * * * *         | minute field takes 0-59
            * 24 * * *         | hour field takes 0-23
            * * 0 * *          | day-of-month field takes 1-31
            * * * 13 *         | month field takes 1-12
            * * * * 8          | day-of-week field takes 0-7
            * * * FOO *        | month field takes 1-12 or JAN-DEC
            5-1 * * * *        | runs backwards
            */0 * * * *        | minute field takes 1-60
            1,,2 * * * *       | empty list item
            0 0 30 2 *         | names no day that exists
            """)
    void aMalformedCronIsRefusedWithAReason(String expression, String reason) {
        CronExpression.Invalid refused = assertThrows(CronExpression.Invalid.class, () -> CronExpression.parse(expression, UTC));
        assertTrue(refused.getMessage().contains(reason), refused.getMessage());
    }

    private static String fires(String expression, ZoneId zone, String after, int count) {
        CronExpression cron = CronExpression.parse(expression, zone);
        List<String> fires = new ArrayList<>();
        Instant from = Instant.parse(after);
        for (int i = 0; i < count; i++) {
            from = cron.next(from).orElseThrow();
            fires.add(from.toString());
        }
        return String.join(" ", fires);
    }
}
