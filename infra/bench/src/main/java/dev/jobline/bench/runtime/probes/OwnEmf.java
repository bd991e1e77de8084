package dev.jobline.bench.runtime.probes;

import dev.jobline.json.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The floor for metrics: one EMF line written by hand with Jobline's own JSON writer (jackson-jr). */
public final class OwnEmf implements Runnable {
    @Override
    public void run() {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("_aws", Map.of("Timestamp", System.currentTimeMillis(), "CloudWatchMetrics", List.of(Map.of(
                "Namespace", "Jobline",
                "Dimensions", List.of(List.of("JobType")),
                "Metrics", List.of(Map.of("Name", "JobsSucceeded", "Unit", "Count"),
                        Map.of("Name", "JobDuration", "Unit", "Milliseconds"),
                        Map.of("Name", "QueueWait", "Unit", "Milliseconds"))))));
        line.put("JobType", "echo");
        line.put("JobsSucceeded", 1);
        line.put("JobDuration", 412.0);
        line.put("QueueWait", 35.0);
        System.out.println(Json.write(line));
    }
}
