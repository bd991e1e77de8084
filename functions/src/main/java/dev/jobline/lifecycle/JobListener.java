package dev.jobline.lifecycle;

/**
 * Something that reacts to status changes: counters, quota, metrics, webhooks, the log. {@link JobLifecycle} tells
 * every listener of every change it makes, once, after its write; a listener never writes the job itself.
 */
public interface JobListener {

    /** A change was written. Runs on the thread that made it; must be quick, and may throw (the others still run). */
    void moved(JobMoved event);

    /** The invocation ends: write what was collected. Must not throw (log instead): the jobs' own writes are done. */
    default void flush() {
    }
}
