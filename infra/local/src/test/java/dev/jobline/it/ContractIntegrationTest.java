package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.jobline.json.Json;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The API keeps its own contract: what openapi.yaml says a call may send and will get is what the API takes and
 * answers. Every call here (as every call of the suite, through {@link Jobline#call}) is checked by
 * {@link OpenApiContract}; these are the calls that once broke it.
 */
@ExtendWith(LocalAwsExtension.class)
class ContractIntegrationTest {
    private Jobline jobline;

    @BeforeEach
    void start(LocalAws aws, LocalResources resources) {
        jobline = new Jobline(aws, resources);
    }

    @Test
    void aJobSubmittedWithoutAPayloadIsAJobAsTheSchemaHasIt() {
        // given a job without a payload; when it is read (the check in call() validates the answer)
        String jobId = jobline.submit("{\"type\":\"echo\"}");
        Map<String, Object> job = jobline.view(jobId);

        // then the payload is left out, and the schema does not require it
        assertFalse(job.containsKey("payload"), job.toString());
    }

    @Test
    void aSubmitAnswers202WithTheJobAsARepeatAnswers200() {
        APIGatewayV2HTTPResponse created = jobline.call("api-submit-idempotent-job.json");
        APIGatewayV2HTTPResponse repeated = jobline.call("api-submit-idempotent-job.json");

        assertEquals(202, created.getStatusCode(), created.getBody());
        assertEquals(200, repeated.getStatusCode(), repeated.getBody());
        Map<String, Object> first = Json.parseObject(created.getBody());
        assertEquals(Json.parseObject(repeated.getBody()).keySet(), first.keySet(), "one shape for both");
        assertTrue(first.keySet().containsAll(List.of("jobId", "type", "status", "attempts", "createdAt", "links")), first.toString());
    }

    @Test
    void valuesTheDescriptionsCallCaseInsensitiveAreAcceptedByTheSchemaToo() {
        // given a priority in capitals and a status filter in lower case, both taken by the API (2xx), so the call
        // check requires openapi.yaml to allow them
        String jobId = jobline.submit("{\"type\":\"echo\",\"priority\":\"HIGH\"}");
        APIGatewayV2HTTPResponse queued = jobline.as("api-list-jobs.json", "tenant-a", Map.of("status", "queued, Running"));

        assertEquals("high", jobline.view(jobId).get("priority"));
        assertEquals(200, queued.getStatusCode(), queued.getBody());
    }

    @Test
    void theContractCheckRefusesAnAnswerTheDocumentDoesNotDescribe() {
        APIGatewayV2HTTPEvent get = Jobline.apiEvent("api-get-job.json");
        APIGatewayV2HTTPResponse wrongShape = APIGatewayV2HTTPResponse.builder().withStatusCode(200)
                .withHeaders(Map.of("content-type", "application/json")).withBody("{\"jobId\":5}").build();
        APIGatewayV2HTTPResponse undocumentedStatus = APIGatewayV2HTTPResponse.builder().withStatusCode(418)
                .withHeaders(Map.of("content-type", "application/problem+json"))
                .withBody("{\"type\":\"/problems/teapot\",\"title\":\"t\",\"status\":418,\"detail\":\"d\"}").build();
        APIGatewayV2HTTPResponse problemAsJson = APIGatewayV2HTTPResponse.builder().withStatusCode(404)
                .withHeaders(Map.of("content-type", "application/json"))
                .withBody("{\"type\":\"/problems/not-found\",\"title\":\"t\",\"status\":404,\"detail\":\"d\"}").build();

        assertThrows(AssertionError.class, () -> OpenApiContract.check(get, wrongShape));
        assertThrows(AssertionError.class, () -> OpenApiContract.check(get, undocumentedStatus));
        assertThrows(AssertionError.class, () -> OpenApiContract.check(get, problemAsJson));
    }

    @Test
    void theContractCheckRefusesARequestTheApiTookButTheDocumentDoesNotAllow() {
        APIGatewayV2HTTPEvent submit = Jobline.apiEvent("api-submit-job.json");
        submit.setBody("{\"type\":\"echo\",\"maxAttempts\":\"3\"}");
        APIGatewayV2HTTPResponse asIfAccepted = APIGatewayV2HTTPResponse.builder().withStatusCode(202)
                .withHeaders(Map.of("content-type", "application/json", "location", "/jobs/x"))
                .withBody(Json.write(Map.of("jobId", "x", "type", "echo", "status", "QUEUED", "attempts", 0,
                        "maxAttempts", 3, "timeoutSeconds", 10, "cancelRequested", false, "priority", "normal",
                        "createdAt", "2026-11-24T19:00:00Z", "updatedAt", "2026-11-24T19:00:00Z")
                        ).replace("}", ",\"links\":{\"self\":\"/jobs/x\"}}"))
                .build();

        AssertionError refused = assertThrows(AssertionError.class, () -> OpenApiContract.check(submit, asIfAccepted));
        assertTrue(refused.getMessage().contains("does not allow"), refused.getMessage());
    }
}
