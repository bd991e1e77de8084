package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.jobline.job.JobStatus;
import dev.jobline.json.Json;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An Idempotency-Key and a concurrency key on one submission, as openapi.yaml documents them: the idempotency key is
 * checked first, so a repeat of a request answers its own job (200, {@code repeated}) whatever holds the concurrency
 * key; a different request under another idempotency key meets the concurrency key (409, or the holder with
 * returnExisting); the same idempotency key with a different request is 422.
 */
@ExtendWith(LocalAwsExtension.class)
class IdempotentKeyedSubmitIntegrationTest {
    private static final String REQUEST = "{\"type\":\"echo\",\"payload\":{\"report\":\"weekly\"},\"concurrencyKey\":\"weekly-report\"}";

    private Jobline jobline;

    @BeforeEach
    void start(LocalAws aws, LocalResources resources) {
        jobline = new Jobline(aws, resources);
    }

    private APIGatewayV2HTTPResponse submit(String idempotencyKey, String body) {
        return jobline.call("api-submit-idempotent-job.json", event -> {
            event.getHeaders().put("idempotency-key", idempotencyKey);
            event.setBody(body);
        });
    }

    private static Map<String, Object> body(APIGatewayV2HTTPResponse response) {
        return Json.parseObject(response.getBody());
    }

    private static String outcome(APIGatewayV2HTTPResponse response) {
        return response.getHeaders().get("jobline-submit-outcome");
    }

    private String created(String idempotencyKey, String body) {
        APIGatewayV2HTTPResponse response = submit(idempotencyKey, body);
        assertEquals(202, response.getStatusCode(), response.getBody());
        assertEquals("created", outcome(response));
        return (String) body(response).get("jobId");
    }

    private Optional<String> holder() {
        return KeyItems.holder(jobline, "tenant-a", "weekly-report");
    }

    @Test
    void theSameRequestRepeatedWithItsIdempotencyKeyAnswersItsOwnJobWhileThatJobHoldsTheKey() {
        String jobId = created("idem-1", REQUEST);

        APIGatewayV2HTTPResponse repeat = submit("idem-1", REQUEST);

        assertEquals(200, repeat.getStatusCode(), repeat.getBody());
        assertEquals("repeated", outcome(repeat));
        assertEquals(jobId, body(repeat).get("jobId"));
        assertEquals(Optional.of(jobId), holder(), "the repeat left the key with its job");
        assertEquals(1, jobline.storedItems());
    }

    @Test
    void anotherIdempotencyKeyWithTheSameConcurrencyKeyIs409NamingTheHolderOrTheHolderWithReturnExisting() {
        String jobId = created("idem-1", REQUEST);

        APIGatewayV2HTTPResponse other = submit("idem-2", REQUEST);
        APIGatewayV2HTTPResponse otherReturning = submit("idem-3",
                REQUEST.replace("\"weekly-report\"}", "\"weekly-report\",\"onConflict\":\"returnExisting\"}"));

        assertEquals(409, other.getStatusCode(), other.getBody());
        assertEquals("/problems/concurrency-key-held", body(other).get("type"));
        assertEquals(jobId, body(other).get("existingJobId"));
        assertEquals(200, otherReturning.getStatusCode(), otherReturning.getBody());
        assertEquals("existing", outcome(otherReturning));
        assertEquals(jobId, body(otherReturning).get("jobId"));
        assertEquals(1, jobline.storedItems());
    }

    @Test
    void theSameIdempotencyKeyWithAnotherRequestIs422EvenThoughItsJobHoldsTheKey() {
        created("idem-1", REQUEST);

        APIGatewayV2HTTPResponse reused = submit("idem-1", REQUEST.replace("weekly\"", "monthly\""));

        assertEquals(422, reused.getStatusCode(), reused.getBody());
        assertEquals("/problems/idempotency-key-reused", body(reused).get("type"));
    }

    @Test
    void aRepeatAfterItsJobEndedAnswersThatJobAndLeavesTheKeyFree() {
        String jobId = created("idem-1", REQUEST);
        jobline.receiveAndDeliver();
        assertEquals(JobStatus.SUCCEEDED, jobline.job(jobId).status());

        APIGatewayV2HTTPResponse repeat = submit("idem-1", REQUEST);

        assertEquals(200, repeat.getStatusCode(), repeat.getBody());
        assertEquals("repeated", outcome(repeat));
        assertEquals(jobId, body(repeat).get("jobId"));
        assertEquals(Optional.empty(), holder(), "the repeat took nothing: the ended job holds no key");
    }

    @Test
    void aRepeatAnswersItsOwnJobEvenWhenAnotherJobHoldsTheKeyNow() {
        String first = created("idem-1", REQUEST);
        jobline.receiveAndDeliver();
        String second = created("idem-2", REQUEST);

        APIGatewayV2HTTPResponse repeat = submit("idem-1", REQUEST);

        assertEquals(200, repeat.getStatusCode(), "the idempotency key is checked first: " + repeat.getBody());
        assertEquals("repeated", outcome(repeat));
        assertEquals(first, body(repeat).get("jobId"));
        assertEquals(Optional.of(second), holder(), "the key stays with the job that holds it");
        assertEquals(2, jobline.storedItems());
    }

    @Test
    void aRequestRepeatedAfterItsIdempotencyWindowIsANewJobThatMeetsTheKeyAsAnyOtherDoes() {
        String old = created("idem-1", REQUEST);
        jobline.receiveAndDeliver();
        jobline.clock.advance(java.time.Duration.ofHours(25));
        String holder = created("idem-2", REQUEST);

        APIGatewayV2HTTPResponse refused = submit("idem-1", REQUEST);
        APIGatewayV2HTTPResponse returning = submit("idem-1",
                REQUEST.replace("\"weekly-report\"}", "\"weekly-report\",\"onConflict\":\"returnExisting\"}"));

        assertEquals(409, refused.getStatusCode(), refused.getBody());
        assertEquals(holder, body(refused).get("existingJobId"));
        assertEquals(200, returning.getStatusCode(), "onConflict is honoured: " + returning.getBody());
        assertEquals("existing", outcome(returning));
        assertEquals(holder, body(returning).get("jobId"));
        assertEquals(JobStatus.SUCCEEDED, jobline.job(old).status(), "the old job was not replaced");
    }
}
