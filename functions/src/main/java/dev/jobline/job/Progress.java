package dev.jobline.job;

/** How far a running job has got, as its handler last reported it; the message is cut to {@link #MAX_MESSAGE_BYTES}. */
public record Progress(long current, long total, String message) {

    public static final int MAX_MESSAGE_BYTES = 1024;

    public Progress {
        if (current < 0 || total < 0) {
            throw new IllegalArgumentException("progress cannot be negative: " + current + "/" + total);
        }
        message = BoundedText.of(message, MAX_MESSAGE_BYTES);
    }

    /** Whole percent, 0 to 100; null when the total is unknown (zero). */
    public Integer percent() {
        if (total == 0) {
            return null;
        }
        return (int) Math.min(100, current * 100 / total);
    }
}
