package dev.jobline.local.runner;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The live terminal view: jobs by status, a progress bar per running job, queue and DLQ depths, the latest
 * invocations; redrawn about once a second with plain ANSI escapes on the terminal's alternate screen, which is left
 * (and the terminal restored) on close.
 */
final class TerminalView implements AutoCloseable {
    private static final String ESC = "\u001b[";
    private static final String BOLD = ESC + "1m";
    private static final String DIM = ESC + "2m";
    private static final String GREEN = ESC + "32m";
    private static final String RED = ESC + "31m";
    private static final String YELLOW = ESC + "33m";
    private static final String RESET = ESC + "0m";
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
    private static final int BAR = 24;

    private final PrintStream terminal;
    private final List<String> header;
    private final Supplier<StackStatus> status;
    private final RecentInvocations recent;
    private final boolean unicode;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "terminal-view");
        thread.setDaemon(true);
        return thread;
    });
    private volatile String notice;
    private volatile int columns = 100;
    private volatile int rows = 40;
    private int frames;

    TerminalView(PrintStream terminal, List<String> header, Supplier<StackStatus> status, RecentInvocations recent) {
        this.terminal = terminal;
        this.header = List.copyOf(header);
        this.status = status;
        this.recent = recent;
        String locale = (System.getenv().getOrDefault("LC_ALL", "") + System.getenv().getOrDefault("LANG", ""))
                .toUpperCase(Locale.ROOT);
        this.unicode = locale.contains("UTF-8") || locale.contains("UTF8");
    }

    /** Whether stdout is a terminal a view can be drawn on. */
    static boolean available() {
        if (System.console() == null || "dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        try {
            // Java 22+ has a Console even when redirected; it says whether it is a terminal
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(System.console());
        } catch (ReflectiveOperationException e) {
            return true;   // Java 17-21: a Console exists only for a terminal
        }
    }

    void start() {
        terminal.print(ESC + "?1049h" + ESC + "?25l");
        terminal.flush();
        timer.scheduleWithFixedDelay(this::draw, 0, 1, TimeUnit.SECONDS);
    }

    /** A line shown under the header, e.g. while stopping. */
    void notice(String text) {
        notice = text;
        timer.execute(this::draw);
    }

    private void draw() {
        try {
            if (frames++ % 5 == 0) {
                measure();
            }
            List<String> lines = render(status.get());
            StringBuilder frame = new StringBuilder(ESC + "H");
            for (String line : lines.subList(0, Math.min(lines.size(), rows - 1))) {
                frame.append(line).append(RESET).append(ESC).append("K\n");
            }
            frame.append(ESC).append("J");
            terminal.print(frame);
            terminal.flush();
        } catch (RuntimeException e) {
            terminal.print(ESC + "H" + ESC + "J" + RED + "cannot read the stack: " + e.getMessage() + RESET + "\n");
            terminal.flush();
        }
    }

    private List<String> render(StackStatus stack) {
        List<String> lines = new ArrayList<>();
        lines.add(BOLD + fit(header.get(0)) + RESET);
        header.subList(1, header.size()).forEach(line -> lines.add(DIM + fit(line) + RESET));
        if (notice != null) {
            lines.add(YELLOW + fit(notice) + RESET);
        }
        lines.add("");
        StringBuilder jobs = new StringBuilder();
        stack.jobsByStatus().forEach((name, count) -> jobs.append(String.format("%s %-5d ", name.toLowerCase(Locale.ROOT), count)));
        jobs.append(String.format("   dead letters kept %d", stack.deadLetters()));
        lines.add(BOLD + "Jobs     " + RESET + fit(jobs.toString()));
        if (!stack.pausedTypes().isEmpty()) {
            // their queued jobs wait until resumed: say so, or the queue looks stuck
            lines.add(YELLOW + fit("Paused   " + String.join(", ", stack.pausedTypes())
                    + "  (queued jobs of these types wait; POST /job-types/{type}/resume)") + RESET);
        }
        lines.add("");
        lines.add(BOLD + String.format("%-38s %8s %10s %8s", "Queues", "visible", "in flight", "delayed") + RESET);
        for (StackStatus.QueueDepth queue : stack.queues()) {
            String line = String.format("  %-36s %8d %10d %8d", queue.name(), queue.visible(), queue.inFlight(),
                    queue.delayed());
            lines.add((queue.visible() + queue.inFlight() > 0 && queue.name().contains("Dead") ? RED : "") + fit(line));
        }
        if (!stack.schedules().isEmpty()) {
            lines.add("");
            lines.add(BOLD + String.format("%-32s %-10s %-10s %s", "Schedules", "next fire", "last fire", "last run") + RESET);
            List<String> schedules = scheduleLines(stack);
            int shown = Math.min(schedules.size(), 5);
            schedules.subList(0, shown).forEach(line -> lines.add(fit(line)));
            if (schedules.size() > shown) {
                lines.add(DIM + "  ... and " + (schedules.size() - shown) + " more" + RESET);
            }
        }
        lines.add("");
        lines.add(BOLD + "Running" + RESET + (stack.running().isEmpty() ? DIM + "  none" + RESET : ""));
        int room = Math.max(3, rows - lines.size() - 10);
        for (StackStatus.RunningJob job : stack.running().subList(0, Math.min(room, stack.running().size()))) {
            lines.add(fit(String.format("  %s  %-8s attempt %d  %s", job.jobId().substring(0, Math.min(8, job.jobId().length())),
                    job.type(), job.attempt(), progress(job))));
        }
        if (stack.running().size() > room) {
            lines.add(DIM + "  ... and " + (stack.running().size() - room) + " more" + RESET);
        }
        lines.add("");
        lines.add(BOLD + "Latest invocations" + RESET);
        int left = Math.max(1, rows - lines.size() - 1);
        for (RecentInvocations.Entry entry : recent.latest(left)) {
            Invocation invocation = entry.invocation();
            String text = String.format("  %s  %-20s %-28s %6d ms  ", CLOCK.format(invocation.started()),
                    invocation.function(), invocation.trigger(), invocation.duration().toMillis());
            lines.add(fit(text) + (invocation.failed() || entry.outcome().startsWith("5") ? RED
                    : entry.outcome().contains("back") || entry.outcome().startsWith("4") ? YELLOW : GREEN)
                    + fit(entry.outcome(), columns - text.length()));
        }
        return lines;
    }

    /** One line per schedule: tenant/name, next fire (or paused, ended), the latest fire and what it did. */
    static List<String> scheduleLines(StackStatus stack) {
        List<String> lines = new ArrayList<>();
        for (StackStatus.ScheduleLine schedule : stack.schedules()) {
            String next = schedule.paused() ? "paused" : schedule.nextFireAt() == null ? "ended" : CLOCK.format(schedule.nextFireAt());
            String last = schedule.lastFireAt() == null ? "-" : CLOCK.format(schedule.lastFireAt());
            String run = schedule.lastOutcome() == null ? "never fired" : schedule.lastOutcome()
                    + (schedule.lastJobId() == null ? "" : " " + schedule.lastJobId().substring(0, Math.min(8, schedule.lastJobId().length())));
            lines.add(String.format("  %-30s %-10s %-10s %s", schedule.tenantId() + "/" + schedule.name(), next, last, run));
        }
        return lines;
    }

    private String progress(StackStatus.RunningJob job) {
        if (job.total() <= 0) {
            return "";
        }
        int filled = (int) Math.max(0, Math.min(BAR, Math.round((double) BAR * job.current() / job.total())));
        String full = unicode ? "\u2588" : "#";
        String empty = unicode ? "\u2591" : "-";
        return "[" + full.repeat(filled) + empty.repeat(BAR - filled) + "] "
                + String.format("%3d%%  %d/%d  %s", Math.round(100.0 * job.current() / job.total()), job.current(),
                job.total(), job.message() == null ? "" : job.message());
    }

    private String fit(String text) {
        return fit(text, columns);
    }

    private static String fit(String text, int width) {
        if (width <= 1) {
            return "";
        }
        return text.length() <= width ? text : text.substring(0, width - 1) + "\u2026";
    }

    /** The terminal's size, from stty (no library); the last known one if that fails. */
    private void measure() {
        try {
            Process stty = new ProcessBuilder("stty", "size").redirectInput(new File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String[] size = new String(stty.getInputStream().readAllBytes()).trim().split("\\s+");
            // 0 0: a terminal that does not know its size
            if (stty.waitFor(2, TimeUnit.SECONDS) && size.length == 2 && Integer.parseInt(size[0]) > 0) {
                rows = Math.max(10, Integer.parseInt(size[0]));
                columns = Math.max(40, Integer.parseInt(size[1]));
            }
        } catch (IOException | NumberFormatException e) {
            // keep the last size
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops drawing and gives the terminal back as it was. */
    @Override
    public void close() {
        timer.shutdown();
        try {
            timer.awaitTermination(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        terminal.print(ESC + "?25h" + ESC + "?1049l");
        terminal.flush();
    }

    /** A one-line summary for after the view is gone. */
    static String summary(StackStatus stack) {
        StringBuilder line = new StringBuilder("jobs:");
        for (Map.Entry<String, Integer> entry : stack.jobsByStatus().entrySet()) {
            line.append(' ').append(entry.getKey().toLowerCase(Locale.ROOT)).append(' ').append(entry.getValue());
        }
        stack.queues().forEach(queue -> line.append("; ").append(queue.name()).append(' ').append(queue.visible())
                .append(" visible"));
        if (!stack.pausedTypes().isEmpty()) {
            line.append("; paused: ").append(String.join(", ", stack.pausedTypes()));
        }
        return line.toString();
    }
}
