package dev.jobline.bench.runtime.probes;

/**
 * The child JVM of the observability cold-start benchmark: runs one variant's logging or metrics work once, as a
 * cold invocation would, and prints {@value #DONE} with its own time from main to done. Each variant is its own class,
 * so the JVM loads only that variant's library. Argument: the variant's class name in this package.
 */
public final class ObservabilityProbe {
    public static final String DONE = "JOBLINE-PROBE-DONE ";

    private ObservabilityProbe() {
    }

    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        Runnable work = (Runnable) Class.forName(ObservabilityProbe.class.getPackageName() + "." + args[0])
                .getDeclaredConstructor().newInstance();
        work.run();
        System.out.flush();
        System.out.println(DONE + "workMillis=" + (System.nanoTime() - start) / 1_000_000.0);
        System.out.flush();
        System.exit(0);
    }

    /** The job every variant logs about, and the lines it logs: what one worker record produces. */
    static final String JOB_ID = "7c0f9a0e-4a43-4c4e-9d55-0c1f1f0e3b1a";
    static final String[] EVENTS = {"job.claimed", "job.progress", "job.heartbeat", "job.succeeded", "webhook.queued"};
}
