package dev.jobline.config;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.jobline.job.JobView;
import dev.jobline.cost.JobCost;
import dev.jobline.job.Job;
import dev.jobline.job.JobType;
import dev.jobline.job.Priority;
import dev.jobline.json.Json;
import dev.jobline.queue.JobMessage;
import dev.jobline.queue.ReceivedMessage;
import dev.jobline.lambda.SqsEvents;
import dev.jobline.store.Lease;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a SnapStart function runs before its snapshot, so a restored copy starts with the classes of its first
 * request loaded and their code warm: the JSON a request reads and writes, and the SDK calls it makes, each
 * marshalled and signed through the real store and queue but stopped before it is sent ({@link RequestRehearsal}).
 * Nothing is stored, sent or counted; the job and tenant it names are never written anywhere.
 */
public final class Priming {
    /** The job every priming request names. */
    public static final String JOB_ID = "00000000-0000-4000-8000-5a9a57a47000";
    public static final String TENANT = "snapstart-priming";
    private static final String SUBMIT_BODY = "{\"type\":\"echo\",\"payload\":{\"primed\":true}}";

    private Priming() {
    }

    /** POST /jobs: the body read, the tenant's quota taken, the job written, its message sent, the 202 body written. */
    public static List<RequestRehearsal.Rehearsed> submit(Wiring wiring) {
        return wiring.rehearse(() -> {
            Instant now = Instant.now();
            Map<String, Object> body = Json.parseObject(SUBMIT_BODY);
            JobType type = wiring.registry().find((String) body.get("type"))
                    .orElseThrow(() -> new IllegalStateException("priming needs the echo job type"));
            Job job = Job.submitted(JOB_ID, TENANT, type, Json.write(body.get("payload")), type.maxAttempts(),
                    (int) type.timeout().toSeconds(), now);
            stopped(() -> wiring.tenants().reserve(TENANT, 1, now));
            stopped(() -> wiring.store().create(job));
            stopped(() -> wiring.queue().send(new JobMessage(JOB_ID, TENANT, type.name(), Priority.NORMAL)));
            Json.write(JobView.of(job));
        });
    }

    /** A worker's claim: the SQS record read, the job claimed, its end written, its message hidden for a retry. */
    public static List<RequestRehearsal.Rehearsed> claim(Wiring wiring) {
        return wiring.rehearse(() -> {
            Instant now = Instant.now();
            SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
            record.setMessageId(JOB_ID);
            record.setReceiptHandle("snapstart-priming");
            record.setBody(new JobMessage(JOB_ID, TENANT, "echo", Priority.NORMAL).body());
            record.setAttributes(Map.of("ApproximateReceiveCount", "1"));
            SQSEvent event = new SQSEvent();
            event.setRecords(List.of(record));
            ReceivedMessage message = SqsEvents.messages(event).get(0);
            String jobId = JobMessage.jobIdFrom(message.body()).orElseThrow();
            Lease lease = new Lease(TENANT, now.plus(wiring.config().lease()));
            stopped(() -> wiring.store().claim(jobId, lease, now));
            stopped(() -> wiring.store().succeed(jobId, lease.owner(), Json.write(Map.of("primed", true)), null,
                    JobCost.NONE, now));
            stopped(() -> wiring.queue().hide(message, Duration.ofSeconds(1)));
        });
    }

    /** Runs one call that the rehearsal must stop; any other failure is a fault in priming, and is thrown. */
    private static void stopped(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            if (!RequestRehearsal.wasStopped(e)) {
                throw e;
            }
        }
    }
}
