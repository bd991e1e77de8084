package dev.jobline.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fixed interval, as EventBridge writes a rate's value: {@code "5 minutes"}, {@code "1 hour"}, {@code "2 days"}.
 * Fires at {@code anchor + k * every}, real time (no time zone, no daylight saving effects).
 */
public record Rate(String text, Duration every) {
    private static final Pattern FORM = Pattern.compile("^\\s*(\\d{1,6})\\s+(second|minute|hour|day)s?\\s*$");
    /** The longest interval: a year in days. */
    private static final Duration LONGEST = Duration.ofDays(366);

    /**
     * Reads {@code text}; {@link CronExpression.Invalid} when it is no rate or shorter than {@code shortest} (a minute in a
     * deployment: the scheduler runs every minute and sends fires up to a period ahead).
     */
    public static Rate parse(String text, Duration shortest) {
        Matcher matcher = text == null ? null : FORM.matcher(text.toLowerCase(Locale.ROOT));
        if (matcher == null || !matcher.matches()) {
            throw new CronExpression.Invalid("a rate is a whole number and a unit, such as \"5 minutes\", \"1 hour\" or \"2 days\"");
        }
        long amount = Long.parseLong(matcher.group(1));
        Duration every = switch (matcher.group(2)) {
            case "second" -> Duration.ofSeconds(amount);
            case "minute" -> Duration.ofMinutes(amount);
            case "hour" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
        if (every.compareTo(shortest) < 0 || every.compareTo(LONGEST) > 0) {
            throw new CronExpression.Invalid("a rate is at least " + words(shortest) + " and at most 366 days, not " + text.trim());
        }
        return new Rate(text.trim(), every);
    }

    /** The first fire strictly after {@code after}, counting from {@code anchor} (a fire itself). */
    public Instant next(Instant anchor, Instant after) {
        if (after.isBefore(anchor)) {
            return anchor;
        }
        long periods = Duration.between(anchor, after).toMillis() / every.toMillis() + 1;
        return anchor.plusMillis(periods * every.toMillis());
    }

    private static String words(Duration duration) {
        long amount = duration.toSeconds() % 60 == 0 ? duration.toMinutes() : duration.toSeconds();
        return amount + (duration.toSeconds() % 60 == 0 ? " minute" : " second") + (amount == 1 ? "" : "s");
    }
}
