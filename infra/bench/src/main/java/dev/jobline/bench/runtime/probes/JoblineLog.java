package dev.jobline.bench.runtime.probes;

import dev.jobline.log.Log;

/** Today's logger: dev.jobline.log.Log writes one JSON object a line itself (jackson-jr), context in a thread local. */
public final class JoblineLog implements Runnable {
    @Override
    public void run() {
        Log.putContext("function", "WorkerFunction");
        Log.putContext("requestId", "bench-request");
        Log.putContext("jobId", ObservabilityProbe.JOB_ID);
        Log.putContext("tenantId", "tenant-a");
        Log.putContext("type", "echo");
        Log.putContext("attempt", 1);
        for (String event : ObservabilityProbe.EVENTS) {
            Log.info(event, "receiveCount", 1);
        }
    }
}
