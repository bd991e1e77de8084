package dev.jobline.bench.stack;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/** What the figures were measured on, printed with them: other load on a 2-core machine moves them a lot. */
public final class Machine {
    private Machine() {
    }

    public static String describe() {
        return Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.vm.version")
                + " (" + System.getProperty("java.vm.name") + "), " + load();
    }

    public static String load() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return load < 0 ? "load average unknown" : String.format(Locale.ROOT, "load average %.2f (1 min)", load);
    }
}
