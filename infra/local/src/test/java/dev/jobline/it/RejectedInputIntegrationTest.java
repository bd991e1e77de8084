package dev.jobline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.jobline.json.Json;
import dev.jobline.local.LocalAws;
import dev.jobline.local.LocalAwsExtension;
import dev.jobline.local.LocalResources;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Bad input gets a problem+json 4xx and leaves no trace in the table or the queue. */
@ExtendWith(LocalAwsExtension.class)
class RejectedInputIntegrationTest {
    private Jobline jobline;

    @BeforeEach
    void start(LocalAws aws, LocalResources resources) {
        jobline = new Jobline(aws, resources);
    }

    @AfterEach
    void nothingWasStoredOrSent() {
        assertEquals(0, jobline.storedItems(), "a rejected submission stores nothing");
        assertEquals(0, jobline.visibleMessages(), "a rejected submission sends nothing");
    }

    private static Map<String, Object> problem(APIGatewayV2HTTPResponse response, int status) {
        assertEquals(status, response.getStatusCode(), response.getBody());
        assertEquals("application/problem+json", response.getHeaders().get("content-type"));
        Map<String, Object> body = Json.parseObject(response.getBody());
        assertEquals(status, body.get("status"));
        assertTrue(((String) body.get("type")).startsWith("/problems/"));
        assertTrue(body.containsKey("title") && body.containsKey("detail"), response.getBody());
        return body;
    }

    @Test
    void theInvalidSubmissionEventIsRejectedWithAReason() {
        Map<String, Object> body = problem(jobline.call("api-submit-invalid.json"), 400);
        assertEquals("/problems/unknown-job-type", body.get("type"));
    }

    @Test
    void malformedJsonIs400() {
        problem(jobline.call("api-submit-job.json", event -> event.setBody("{\"type\": \"echo\",")), 400);
    }

    @Test
    void aWrongContentTypeIs415() {
        problem(jobline.call("api-submit-job.json", event -> event.getHeaders().put("content-type", "text/plain")), 415);
    }

    @Test
    void aMissingContentTypeIs415() {
        problem(jobline.call("api-submit-job.json", event -> event.getHeaders().remove("content-type")), 415);
    }

    @Test
    void aPayloadOverTheLimitIs413() {
        String huge = "{\"type\":\"echo\",\"payload\":\"" + "x".repeat(300 * 1024) + "\"}";
        problem(jobline.call("api-submit-job.json", event -> event.setBody(huge)), 413);
    }

    @Test
    void wrongFieldTypesAre400() {
        Map<String, Object> body = problem(jobline.call("api-submit-job.json",
                event -> event.setBody("{\"type\":\"echo\",\"maxAttempts\":\"many\"}")), 400);
        assertEquals("maxAttempts", body.get("field"));
    }

    @Test
    void aBase64BodyThatIsNotBase64Is400() {
        problem(jobline.call("api-submit-job.json", event -> {
            event.setIsBase64Encoded(true);
            event.setBody("%%% not base64 %%%");
        }), 400);
    }

    @Test
    void aCallerWithoutIdentityIs401() {
        problem(jobline.call("api-submit-job.json",
                event -> event.getRequestContext().getAuthorizer().getJwt().getClaims().remove("sub")), 401);
    }

    @Test
    void anUnknownJobIdIs404() {
        problem(jobline.get("00000000-0000-4000-8000-00000000dead", "tenant-a"), 404);
    }

    @Test
    void anUnknownRouteIs404AndAWrongMethodIs405() {
        problem(jobline.call("api-submit-job.json", event -> event.setRawPath("/nothing-here")), 404);
        APIGatewayV2HTTPResponse wrongMethod = jobline.call("api-submit-job.json",
                event -> event.getRequestContext().getHttp().setMethod("DELETE"));
        problem(wrongMethod, 405);
        assertEquals("GET, POST", wrongMethod.getHeaders().get("allow"));
    }
}
