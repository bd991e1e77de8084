package dev.jobline.bench.runtime.probes;

/** The floor: the JVM and the probe, nothing logged. */
public final class NoLogging implements Runnable {
    @Override
    public void run() {
        // nothing: every other variant is compared with this
    }
}
