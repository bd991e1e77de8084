package dev.jobline.testing;

import dev.jobline.lifecycle.JobListener;
import dev.jobline.lifecycle.JobMoved;
import java.util.ArrayList;
import java.util.List;

/** A listener that keeps every move it is told of, and counts its flushes. */
public final class RecordingListener implements JobListener {
    public final List<JobMoved> moves = new ArrayList<>();
    public int flushes;

    @Override
    public synchronized void moved(JobMoved event) {
        moves.add(event);
    }

    @Override
    public synchronized void flush() {
        flushes++;
    }

    /** The moves of one job, as "FROM>TO" (null as "-"). */
    public synchronized List<String> of(String jobId) {
        return moves.stream().filter(m -> m.job().jobId().equals(jobId))
                .map(m -> (m.from() == null ? "-" : m.from().name()) + ">" + m.to().name()).toList();
    }
}
