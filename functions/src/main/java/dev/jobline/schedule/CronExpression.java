package dev.jobline.schedule;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.time.zone.ZoneOffsetTransition;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A five-field cron expression ({@code minute hour day-of-month month day-of-week}) in a time zone, as Unix cron reads
 * it: {@code *}, values, ranges {@code 1-5}, steps {@code *}{@code /15} and {@code 10-50/10}, lists {@code 1,15}, month
 * names {@code JAN}-{@code DEC}, day names {@code SUN}-{@code SAT} (0 and 7 are Sunday), and {@code L} (the last day of
 * the month) in day-of-month. When both day fields are restricted, a day matching either fires (as Unix cron).
 *
 * <p>Daylight saving time: a local time that does not exist (the hour the clocks skip) fires once at the end of the gap
 * (02:30 on the spring-forward day in Europe/Berlin fires at 03:00); a local time that happens twice (the hour repeated
 * in autumn) fires once, at its first occurrence. A cron every 15 minutes therefore has no fire in the repeated hour:
 * a {@code rate} counts real time and has none of these effects.
 */
public final class CronExpression {
    /** A schedule's next fire is looked for this far ahead; an expression with none in that time is refused. */
    private static final int SEARCH_YEARS = 8;
    private static final List<String> MONTHS = List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP",
            "OCT", "NOV", "DEC");
    private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

    private final String text;
    private final ZoneId zone;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final boolean lastDayOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek;
    private final boolean anyDayOfMonth;
    private final boolean anyDayOfWeek;

    /** Why an expression cannot be read, in words a caller can act on. */
    public static final class Invalid extends IllegalArgumentException {
        Invalid(String message) {
            super(message);
        }
    }

    private CronExpression(String text, ZoneId zone, String[] fields) {
        this.text = text;
        this.zone = zone;
        this.minutes = field(fields[0], "minute", 0, 59, null);
        this.hours = field(fields[1], "hour", 0, 23, null);
        String dayOfMonth = fields[2];
        boolean last = false;
        StringBuilder rest = new StringBuilder();
        for (String part : dayOfMonth.split(",", -1)) {
            if (part.equalsIgnoreCase("L")) {
                last = true;
            } else {
                rest.append(rest.isEmpty() ? "" : ",").append(part);
            }
        }
        this.lastDayOfMonth = last;
        this.daysOfMonth = rest.isEmpty() ? new BitSet() : field(rest.toString(), "day-of-month", 1, 31, null);
        this.months = field(fields[3], "month", 1, 12, MONTHS);
        BitSet week = field(fields[4], "day-of-week", 0, 7, DAYS);
        if (week.get(7)) {
            week.set(0);   // 7 is Sunday too
        }
        week.clear(7);
        this.daysOfWeek = week;
        this.anyDayOfMonth = dayOfMonth.equals("*");
        this.anyDayOfWeek = fields[4].equals("*");
    }

    /** Reads {@code text} in {@code zone}; {@link Invalid} says what is wrong. */
    public static CronExpression parse(String text, ZoneId zone) {
        if (text == null || text.isBlank()) {
            throw new Invalid("a cron expression has five fields: minute hour day-of-month month day-of-week");
        }
        String[] fields = text.trim().split("\\s+");
        if (fields.length != 5) {
            throw new Invalid("a cron expression has five fields (minute hour day-of-month month day-of-week), not "
                    + fields.length);
        }
        CronExpression cron = new CronExpression(text.trim(), zone, fields);
        if (cron.next(Instant.parse("2024-01-01T00:00:00Z")).isEmpty()) {
            throw new Invalid("'" + text.trim() + "' names no day that exists (e.g. 30 February)");
        }
        return cron;
    }

    public String text() {
        return text;
    }

    public ZoneId zone() {
        return zone;
    }

    /** The first fire time strictly after {@code after}; empty when there is none within the next years. */
    public Optional<Instant> next(Instant after) {
        LocalDateTime local = LocalDateTime.ofInstant(after, zone).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        LocalDateTime end = local.plusYears(SEARCH_YEARS);
        while (local.isBefore(end)) {
            if (!months.get(local.getMonthValue())) {
                local = local.toLocalDate().withDayOfMonth(1).plusMonths(1).atStartOfDay();
                continue;
            }
            if (!dayMatches(local.toLocalDate())) {
                local = local.toLocalDate().plusDays(1).atStartOfDay();
                continue;
            }
            if (!hours.get(local.getHour())) {
                local = local.truncatedTo(ChronoUnit.HOURS).plusHours(1);
                continue;
            }
            if (!minutes.get(local.getMinute())) {
                local = local.plusMinutes(1);
                continue;
            }
            Instant fire = instantOf(local);
            // in the repeated hour of autumn, a local time after 'after' may have had its first occurrence already
            if (fire.isAfter(after)) {
                return Optional.of(fire);
            }
            local = local.plusMinutes(1);
        }
        return Optional.empty();
    }

    /** The local time's instant: its first occurrence, or the end of the gap for one the clocks skip. */
    private Instant instantOf(LocalDateTime local) {
        List<java.time.ZoneOffset> offsets = zone.getRules().getValidOffsets(local);
        if (offsets.isEmpty()) {
            ZoneOffsetTransition gap = zone.getRules().getTransition(local);
            return gap.getInstant();
        }
        return ZonedDateTime.ofLocal(local, zone, null).toInstant();
    }

    private boolean dayMatches(LocalDate day) {
        boolean byMonth = daysOfMonth.get(day.getDayOfMonth())
                || lastDayOfMonth && day.equals(day.with(TemporalAdjusters.lastDayOfMonth()));
        boolean byWeek = daysOfWeek.get(day.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : day.getDayOfWeek().getValue());
        if (anyDayOfMonth && anyDayOfWeek) {
            return true;
        }
        if (anyDayOfMonth) {
            return byWeek;
        }
        if (anyDayOfWeek) {
            return byMonth;
        }
        return byMonth || byWeek;
    }

    private static BitSet field(String text, String name, int min, int max, List<String> names) {
        BitSet values = new BitSet(max + 1);
        for (String part : text.split(",", -1)) {
            if (part.isEmpty()) {
                throw new Invalid("the " + name + " field '" + text + "' has an empty list item");
            }
            String range = part;
            int step = 1;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                range = part.substring(0, slash);
                step = number(part.substring(slash + 1), name, 1, max - min + 1, null);
            }
            int from;
            int to;
            if (range.equals("*")) {
                from = min;
                to = max;
            } else {
                int dash = range.indexOf('-');
                if (dash >= 0) {
                    from = number(range.substring(0, dash), name, min, max, names);
                    to = number(range.substring(dash + 1), name, min, max, names);
                    if (to < from) {
                        throw new Invalid("the " + name + " range '" + range + "' runs backwards");
                    }
                } else {
                    from = number(range, name, min, max, names);
                    // a value with a step runs to the end of the field, as "from-max/step"
                    to = slash >= 0 ? max : from;
                }
            }
            for (int value = from; value <= to; value += step) {
                values.set(value);
            }
        }
        return values;
    }

    private static int number(String text, String name, int min, int max, List<String> names) {
        if (names != null) {
            int index = names.indexOf(text.toUpperCase(Locale.ROOT));
            if (index >= 0) {
                return index + (names == MONTHS ? 1 : 0);
            }
        }
        try {
            int value = Integer.parseInt(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new Invalid("the " + name + " field takes " + min + "-" + max
                + (names == null ? "" : " or " + names.get(0) + "-" + names.get(names.size() - 1))
                + (name.equals("day-of-month") ? " or L" : "") + ", not '" + text + "'");
    }

    @Override
    public String toString() {
        return text + " (" + zone + ")";
    }
}
